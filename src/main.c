/* linli's command line: parses the subcommand and its options, builds the application (config,
 * keys, store) and hands off. Nothing below main calls exit(). */
#include "auth/account.h"
#include "auth/roles.h"
#include "core/audit.h"
#include "core/crypto.h"
#include "core/fault.h"
#include "core/rekey.h"
#include "core/validate.h"
#include "core/vcache.h"
#include "modules/install.h"
#include "modules/registry/demo_people.h"
#include "modules/fund/fund.h"
#include "modules/grants/grants.h"
#include "server/http.h"
#include "server/openapi.h"
#include "server/static.h"
#include "store/migrate.h"
#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
    const char *const *options; /* the options it takes, NULL-terminated; "!" suffix: a flag */
};

static const char common_help[] =
    "Common options (each also read from the environment):\n"
    "  --data-dir DIR          data folder (LINLI_DATA_DIR; default ./data)\n"
    "  --db URL                sqlite:PATH or postgresql://... (LINLI_DB; default sqlite:DATA_DIR/linli.db)\n"
    "  --secret-key-file FILE  key for personal data at rest (LINLI_SECRET_KEY_FILE; default DATA_DIR/secret.key)\n";

/* ---- options ---- */

static const char *opt(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return i + 1 < argc ? argv[i + 1] : "";
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
    }
    return NULL;
}

static int flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

/* Every argument must be a known option (with its value); else prints what is wrong. */
static int check_args(const struct cmd *c, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int known = 0, is_flag = 0;
        for (const char *const *o = c->options; o && *o; o++) {
            size_t n = strcspn(*o, "!");
            if (strncmp(a, *o, n) == 0 && (a[n] == 0 || (a[n] == '=' && (*o)[n] != '!'))) {
                known = 1;
                is_flag = (*o)[n] == '!';
                if (!is_flag && a[n] == 0) {
                    if (i + 1 >= argc) {
                        fprintf(stderr, "linli %s: %s needs a value\n", c->name, a);
                        return -1;
                    }
                    i++;
                }
            }
        }
        if (!known) {
            fprintf(stderr, "linli %s: unknown option %s (see linli %s --help)\n", c->name, a, c->name);
            return -1;
        }
    }
    return 0;
}

struct config {
    char data_dir[PATH_MAX], db[PATH_MAX + 16], key_file[PATH_MAX + 16];
};

static void config_read(int argc, char **argv, struct config *cf)
{
    const char *d = opt(argc, argv, "--data-dir");
    if (!d)
        d = getenv("LINLI_DATA_DIR");
    snprintf(cf->data_dir, sizeof cf->data_dir, "%s", d && *d ? d : "data");
    const char *db = opt(argc, argv, "--db");
    if (!db)
        db = getenv("LINLI_DB");
    if (db && *db)
        snprintf(cf->db, sizeof cf->db, "%s", db);
    else
        snprintf(cf->db, sizeof cf->db, "sqlite:%s/linli.db", cf->data_dir);
    const char *k = opt(argc, argv, "--secret-key-file");
    if (!k)
        k = getenv("LINLI_SECRET_KEY_FILE");
    if (k && *k)
        snprintf(cf->key_file, sizeof cf->key_file, "%s", k);
    else
        snprintf(cf->key_file, sizeof cf->key_file, "%s/secret.key", cf->data_dir);
}

static int ensure_dir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "linli: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static store *open_store(const struct config *cf, int migrate)
{
    char err[512];
    store *s = NULL;
    if (strncmp(cf->db, "sqlite:", 7) == 0 && ensure_dir(cf->data_dir) != 0)
        return NULL;
    if (store_open(cf->db, &s, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "linli: %s\n", err);
        return NULL;
    }
    int applied = 0;
    if (migrate && migrate_apply(s, &applied, err, sizeof err) != 0) {
        fprintf(stderr, "linli: %s\n", err);
        store_close(s);
        return NULL;
    }
    if (applied)
        printf("linli: applied %d migration%s\n", applied, applied == 1 ? "" : "s");
    return s;
}

/* A command's configuration from its options and environment, and its database opened. */
static store *cli_store(int argc, char **argv, struct config *cf, int migrate)
{
    config_read(argc, argv, cf);
    return open_store(cf, migrate);
}

/* The first line of a file, without its line end; NULL (message printed) on failure. */
static char *read_password_file(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "linli: cannot read password file %s: %s\n", path, strerror(errno));
        return NULL;
    }
    if (!fgets(buf, sizeof buf, f))
        buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\r\n")] = 0;
    if (strlen(buf) < 8) {
        fprintf(stderr, "linli: the password in %s is shorter than 8 characters\n", path);
        return NULL;
    }
    return buf;
}

/* An audit row written by the command line; after is stolen. */
static store_rc audit_cli(store *s, arena *a, int64_t community, const char *actor, const char *action,
                          const char *entity, const char *entity_id, json_t *after)
{
    store_rc rc = audit_append(s, a, community, 0, actor, action, entity, entity_id, NULL, after);
    json_decref(after);
    return rc;
}

/* The key file as rekey replaces it (where a link named by --secret-key-file leads, so that the
 * link keeps naming the key), and its sibling in which `linli rekey` keeps the new key until its
 * transaction has committed (see cmd_rekey). */
static void rekey_paths(const struct config *cf, char key[PATH_MAX + 16], char *next, size_t len)
{
    if (!realpath(cf->key_file, key))
        snprintf(key, PATH_MAX + 16, "%s", cf->key_file);
    snprintf(next, len, "%s.new", key);
}

/* 1 (and says what to do) when an interrupted rekey left its new key file behind: until `linli
 * rekey --recover` has looked, nobody knows which of the two keys the data is sealed with. */
static int rekey_unfinished(const struct config *cf)
{
    char key[PATH_MAX + 16], path[PATH_MAX + 24];
    rekey_paths(cf, key, path, sizeof path);
    if (access(path, F_OK) != 0)
        return 0;
    fprintf(stderr, "linli: %s exists: a `linli rekey` did not finish. Run `linli rekey --recover` (it looks at the database "
                    "to tell whether the data is sealed with %s or with the new key, and finishes or undoes the rekey)\n",
            path, key);
    return 1;
}

/* ---- commands ---- */

/* --public-url: "http(s)://HOST[:PORT]" and nothing more (a trailing slash is dropped). NULL if it
 * is not that: linli's pages live at /, and QR codes print it as it is. */
static char *public_url_parse(const char *v)
{
    size_t scheme = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;
    size_t n = strlen(v);
    if (!scheme || n > 200)
        return NULL;
    if (n > scheme && v[n - 1] == '/')
        n--;
    size_t host = 0, colon = 0;
    for (size_t i = scheme; i < n; i++) {
        char c = v[i];
        if (c == ':' && !colon)
            colon = i;
        else if (colon ? !(c >= '0' && c <= '9') : !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return NULL;
        else if (!colon)
            host++;
    }
    if (!host || (colon && (colon + 1 == n || atoi(v + colon + 1) < 1 || atoi(v + colon + 1) > 65535 || n - colon > 6)))
        return NULL;
    return strndup(v, n);
}

/* A whole number from min to max in *out, or -1 after saying what is wrong. */
static int opt_int(int argc, char **argv, const char *name, long min, long max, long dflt, long *out)
{
    const char *v = opt(argc, argv, name);
    char *end = NULL;
    *out = v ? strtol(v, &end, 10) : dflt;
    if (v && (!*v || *end || *out < min || *out > max)) {
        fprintf(stderr, "linli serve: %s takes a whole number from %ld to %ld\n", name, min, max);
        return -1;
    }
    return 0;
}

/* The session options of serve: the limits, the proxies to trust, and whether the cookie is Secure
 * (by default whenever host is not a loopback address: off loopback the cookie crosses a network).
 * 0, or -1 after saying what is wrong. */
static int serve_session_options(int argc, char **argv, const char *host, struct app *app)
{
    long hours, idle;
    if (opt_int(argc, argv, "--session-hours", 1, 24 * 366, 12, &hours) != 0 ||
        opt_int(argc, argv, "--session-idle-minutes", 1, 60 * 24 * 366, 120, &idle) != 0)
        return -1;
    app->session_hours = (int)hours;
    app->session_idle_minutes = (int)idle;
    const char *proxies = opt(argc, argv, "--trust-proxy");
    for (const char *p = proxies; p && *p;) {
        size_t n = strcspn(p, ",");
        char one[INET_ADDRSTRLEN];
        if (n == 0 || n >= sizeof one || app->ntrust_proxy == (int)(sizeof app->trust_proxy / sizeof app->trust_proxy[0])) {
            fprintf(stderr, "linli serve: --trust-proxy takes up to 8 IPv4 addresses, comma-separated\n");
            return -1;
        }
        memcpy(one, p, n);
        one[n] = 0;
        if (inet_pton(AF_INET, one, app->trust_proxy[app->ntrust_proxy]) != 1) {
            fprintf(stderr, "linli serve: --trust-proxy: %s is not an IPv4 address\n", one);
            return -1;
        }
        app->ntrust_proxy++;
        p += n + (p[n] == ',');
    }
    if (proxies && !app->ntrust_proxy) {
        fprintf(stderr, "linli serve: --trust-proxy takes up to 8 IPv4 addresses, comma-separated\n");
        return -1;
    }
    unsigned char ip[4];
    int loopback = inet_pton(AF_INET, host, ip) == 1 && ip[0] == 127;
    int secure = flag(argc, argv, "--secure-cookies"), insecure = flag(argc, argv, "--insecure-cookies");
    if (secure && insecure) {
        fprintf(stderr, "linli serve: --secure-cookies and --insecure-cookies contradict each other\n");
        return -1;
    }
    app->secure_cookies = secure || (!loopback && !insecure);
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    struct config cf;
    config_read(argc, argv, &cf);
    /* Test runs only: requests may carry X-Linli-Fault (see core/fault.h, docs/reliability.md). */
    const char *faults = getenv("LINLI_TEST_FAULTS");
    if (faults && strcmp(faults, "1") == 0) {
        if (fault_install() != 0) {
            fprintf(stderr, "linli: LINLI_TEST_FAULTS: cannot install the fault-injection hooks\n");
            return 1;
        }
        fprintf(stderr, "linli: fault injection is on (LINLI_TEST_FAULTS=1); never in production\n");
    }
    const char *listen = opt(argc, argv, "--listen");
    if (!listen)
        listen = getenv("LINLI_LISTEN");
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    char host[64];
    int port = 0;
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host || (port = atoi(colon + 1)) < 0 || port > 65535) {
        fprintf(stderr, "linli serve: --listen takes HOST:PORT, e.g. 127.0.0.1:8080\n");
        return 2;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    static struct app app;
    app.listen_host = host;
    const char *pu = opt(argc, argv, "--public-url");
    if (!pu)
        pu = getenv("LINLI_PUBLIC_URL");
    if (pu && *pu && !(app.public_url = public_url_parse(pu))) {
        fprintf(stderr, "linli serve: --public-url takes http(s)://HOST[:PORT], e.g. https://wenhua.example.cn\n");
        return 2;
    }
    if (!app.public_url && strcmp(host, "0.0.0.0") == 0)
        fprintf(stderr, "linli: QR codes will point to http://0.0.0.0:%d; set --public-url to the address people use\n", port);
    if (serve_session_options(argc, argv, host, &app) != 0)
        return 2;
    char err[512];
    if (rekey_unfinished(&cf))
        return 1;
    if (crypto_key_load(cf.key_file, &app.keys, err, sizeof err) != 0) {
        fprintf(stderr, "linli: %s\n", err);
        return 1;
    }
    store *s = open_store(&cf, 1);
    if (!s)
        return 1;
    /* A server with another key than the data's would show none of it and seal new data with a
     * key nobody else has: after `linli rekey`, every server needs the new key file. */
    rekey_probe_rc probe = rekey_probe(s, &app.keys, err, sizeof err);
    if (probe == REKEY_PROBE_ERROR || probe == REKEY_PROBE_OTHER_KEY) {
        if (probe == REKEY_PROBE_ERROR)
            fprintf(stderr, "linli: %s\n", err);
        else
            fprintf(stderr, "linli: the key in %s does not open the personal data in %s: it was sealed with another key "
                            "(after `linli rekey`, every server needs the new key file)\n", cf.key_file, cf.db);
        store_close(s);
        return 1;
    }
    app.store_kind = store_kind(s);
    /* Before any other connection: fold the write-ahead log into the database and empty it, so
     * that after a power loss new writes never share a disk sector with the end of the last
     * acknowledged commit (found by src/store/powerloss_test.c on disks without powersafe
     * overwrite). Best effort: a failure here only leaves the log as it is. */
    if (strcmp(app.store_kind, "sqlite") == 0)
        (void)store_exec_script(s, "PRAGMA wal_checkpoint(TRUNCATE)");
    store_close(s);
    app.db_url = cf.db;
    app.data_dir = cf.data_dir;
    app.quiet = flag(argc, argv, "--quiet");
    const char *web = opt(argc, argv, "--web-dir");
    if (!web)
        web = getenv("LINLI_WEB_DIR");
    if (!web || !*web)
        web = "web/dist";
    app.web = static_load(web, err, sizeof err);
    if (!app.web)
        fprintf(stderr, "linli: %s; serving the API only\n", err);
    const char *t = opt(argc, argv, "--threads");
    long threads = t ? atol(t) : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 2)
        threads = 2;
    const char *mc = opt(argc, argv, "--max-connections"), *mip = opt(argc, argv, "--max-per-ip");
    app.max_connections = mc ? atoi(mc) : 0;
    app.max_per_ip = mip ? atoi(mip) : 1024;
    if ((mc && app.max_connections < 1) || app.max_per_ip < 1) {
        fprintf(stderr, "linli: --max-connections and --max-per-ip take a positive number\n");
        static_free(app.web);
        free((char *)app.public_url);
        return 2;
    }
    /* The dummy hash that makes a login for a made-up name as slow as a wrong password. */
    if (account_prepare() != 0) {
        fprintf(stderr, "linli: out of memory making the login's dummy hash\n");
        static_free(app.web);
        return 1;
    }
    int rc = http_serve(&app, host, port, (int)threads);
    vcache_clear();
    static_free(app.web);
    free((char *)app.public_url);
    return rc;
}

static int cmd_init(int argc, char **argv)
{
    struct config cf;
    config_read(argc, argv, &cf);
    if (ensure_dir(cf.data_dir) != 0)
        return 1;
    char err[512];
    struct crypto_keys keys;
    if (access(cf.key_file, F_OK) != 0) {
        if (crypto_key_create(cf.key_file, err, sizeof err) != 0) {
            fprintf(stderr, "linli: %s\n", err);
            return 1;
        }
        printf("linli: created the secret key %s (mode 0600); back it up: without it the personal data cannot be read\n",
               cf.key_file);
    }
    if (crypto_key_load(cf.key_file, &keys, err, sizeof err) != 0) {
        fprintf(stderr, "linli: %s\n", err);
        return 1;
    }
    const char *pwfile = opt(argc, argv, "--admin-password-file");
    const char *password = NULL;
    char generated[64];
    if (pwfile) {
        password = read_password_file(pwfile);
        if (!password)
            return 1;
    }
    int residents = 2000;
    const char *rs = opt(argc, argv, "--residents");
    if (rs) {
        char *end;
        long v = strtol(rs, &end, 10);
        if (*end || v < 0 || v > 1000000) {
            fprintf(stderr, "linli init: --residents takes a number from 0 to 1000000\n");
            return 2;
        }
        residents = (int)v;
    }
    store *s = open_store(&cf, 1);
    if (!s)
        return 1;
    arena *a = arena_new();
    int64_t admin_id = 0;
    const char *hash;
    int found = 0;
    int rc = 1;
    if (account_find(s, a, "admin", &admin_id, &hash, &found) != STORE_OK) {
        fprintf(stderr, "linli: %s\n", store_errmsg(s));
        goto done;
    }
    if (found) {
        fprintf(stderr, "linli init: this database is already initialised (the account admin exists); "
                        "use `linli user passwd --login admin` to set its password\n");
        goto done;
    }
    if (!password) {
        char *tok = crypto_token(a, 12);
        snprintf(generated, sizeof generated, "%s", tok);
        password = generated;
    }
    if (install_admin(s, password, &admin_id, err, sizeof err) != 0) {
        fprintf(stderr, "linli: %s\n", err);
        goto done;
    }
    if (flag(argc, argv, "--demo")) {
        int64_t cid;
        printf("linli: creating the demo community 文华社区 with %d residents\n", residents);
        fflush(stdout);
        if (install_demo(s, &keys, residents, admin_id, &cid, err, sizeof err) != 0) {
            fprintf(stderr, "linli: %s\n", err);
            goto done;
        }
        printf("linli: demo community 文华社区 is community %lld\n", (long long)cid);
    }
    printf("linli: initialised %s\n", cf.db);
    if (pwfile)
        printf("linli: admin login: admin (password from %s)\n", pwfile);
    else
        printf("linli: admin login: admin  password: %s  (shown once; change it with `linli user passwd`)\n", password);
    rc = 0;
done:
    arena_free(a);
    store_close(s);
    return rc;
}

static int cmd_migrate(int argc, char **argv)
{
    struct config cf;
    store *s = cli_store(argc, argv, &cf, 1);
    if (!s)
        return 1;
    printf("linli: schema of %s is up to date\n", cf.db);
    store_close(s);
    return 0;
}

static int user_add(int argc, char **argv, store *s, arena *a)
{
    const char *login = opt(argc, argv, "--login"), *pwfile = opt(argc, argv, "--password-file");
    const char *role = opt(argc, argv, "--role"), *community = opt(argc, argv, "--community");
    const char *name = opt(argc, argv, "--name"), *org = opt(argc, argv, "--org");
    if (!login || !pwfile || !role) {
        fprintf(stderr, "linli user add: --login, --password-file and --role are required\n");
        return 2;
    }
    unsigned bit = role_from_name(role);
    if (!bit) {
        fprintf(stderr, "linli user add: no role \"%s\" (staff, social_worker, volunteer, resident, org_rep, "
                        "reviewer, reporter, editor, district_admin, admin)\n", role);
        return 2;
    }
    int64_t cid = community ? strtoll(community, NULL, 10) : 0;
    int64_t district = 0;
    if (!(bit & ROLES_GLOBAL) && cid <= 0) {
        fprintf(stderr, "linli user add: the role %s needs --community ID\n", role);
        return 2;
    }
    int64_t org_id = 0;
    if (org && (bit != ROLE_ORG_REP || validate_int(org, 1, INT64_MAX, &org_id) != 0)) {
        fprintf(stderr, "linli user add: --org takes an organisation's id, with --role org_rep\n");
        return 2;
    }
    if (bit == ROLE_DISTRICT_ADMIN) {
        const char *d = opt(argc, argv, "--district");
        district = d ? strtoll(d, NULL, 10) : 0;
        if (district <= 0) {
            fprintf(stderr, "linli user add: district_admin needs --district ID\n");
            return 2;
        }
    }
    const char *password = read_password_file(pwfile);
    if (!password)
        return 1;
    int64_t id;
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = account_create(s, a, login, name ? name : login, password, &id);
    if (rc == STORE_OK)
        rc = account_grant(s, a, id, cid, bit, district);
    if (rc == STORE_OK)
        rc = audit_cli(s, a, bit & ROLES_GLOBAL ? 0 : cid, "linli user", "create", "account", login,
                          json_pack("{s:s, s:s}", "login", login, "role", role));
    /* The organisation the org rep represents (grants: they act only for organisations linked so). */
    if (rc == STORE_OK && org_id)
        rc = grants_rep_link(s, a, cid, org_id, id, (int64_t)time(NULL));
    if (rc == STORE_OK && org_id)
        rc = audit_cli(s, a, cid, "linli user", "link_rep", "organisation", org,
                       json_pack("{s:I, s:I, s:s}", "organisation_id", (json_int_t)org_id, "account_id", (json_int_t)id, "login", login));
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        store_rollback(s);
        fprintf(stderr, "linli user add: %s\n",
                rc == STORE_CONSTRAINT ? "the login is taken, or no such community, district or organisation" : store_errmsg(s));
        return 1;
    }
    if (org_id)
        printf("linli: account %s (id %lld) with role %s, representing organisation %lld\n", login, (long long)id, role, (long long)org_id);
    else
        printf("linli: account %s (id %lld) with role %s\n", login, (long long)id, role);
    return 0;
}

static int user_passwd(int argc, char **argv, store *s, arena *a)
{
    const char *login = opt(argc, argv, "--login"), *pwfile = opt(argc, argv, "--password-file");
    if (!login || !pwfile) {
        fprintf(stderr, "linli user passwd: --login and --password-file are required\n");
        return 2;
    }
    const char *password = read_password_file(pwfile);
    int64_t id;
    const char *hash;
    int found;
    if (!password)
        return 1;
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = account_find(s, a, login, &id, &hash, &found);
    if (rc == STORE_OK && !found) {
        store_rollback(s);
        fprintf(stderr, "linli user passwd: no account %s\n", login);
        return 1;
    }
    int64_t ended = 0;
    if (rc == STORE_OK)
        rc = account_set_password(s, a, id, password, NULL, &ended);
    if (rc == STORE_OK)
        rc = audit_cli(s, a, 0, "linli user", "passwd", "account", login, json_pack("{s:I}", "sessions_ended", (json_int_t)ended));
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        store_rollback(s);
        fprintf(stderr, "linli user passwd: %s\n", store_errmsg(s));
        return 1;
    }
    printf("linli: password of %s changed; %lld sessions ended\n", login, (long long)ended);
    return 0;
}

static int user_roles(int argc, char **argv, store *s, arena *a)
{
    const char *login = opt(argc, argv, "--login");
    const char *grant = opt(argc, argv, "--grant"), *revoke = opt(argc, argv, "--revoke");
    const char *community = opt(argc, argv, "--community");
    if (!login) {
        fprintf(stderr, "linli user roles: --login is required\n");
        return 2;
    }
    int64_t id, cid = community ? strtoll(community, NULL, 10) : 0;
    const char *hash;
    int found;
    if (account_find(s, a, login, &id, &hash, &found) != STORE_OK || !found) {
        fprintf(stderr, "linli user roles: no account %s\n", login);
        return 1;
    }
    const char *change = grant ? grant : revoke;
    if (change) {
        unsigned bit = role_from_name(change);
        if (!bit || (!(bit & ROLES_GLOBAL) && cid <= 0)) {
            fprintf(stderr, "linli user roles: %s\n", bit ? "a community role needs --community ID" : "no such role");
            return 2;
        }
        store_rc rc = store_begin(s);
        if (rc == STORE_OK)
            rc = grant ? account_grant(s, a, id, cid, bit, 0) : account_revoke(s, a, id, cid, bit);
        if (rc == STORE_OK)
            rc = audit_cli(s, a, bit & ROLES_GLOBAL ? 0 : cid, "linli user", grant ? "grant" : "revoke", "role", login,
                           json_pack("{s:s}", "role", change));
        if (rc == STORE_OK)
            rc = store_commit(s);
        if (rc != STORE_OK) {
            store_rollback(s);
            fprintf(stderr, "linli user roles: %s\n", store_errmsg(s));
            return 1;
        }
    }
    json_t *roles = NULL, *global = NULL;
    if (account_roles(s, a, id, &roles, &global) != STORE_OK)
        return 1;
    size_t i;
    json_t *v;
    printf("%s:\n", login);
    json_array_foreach(global, i, v) printf("  %s\n", json_string_value(v));
    json_array_foreach(roles, i, v) printf("  %s in community %lld\n", json_string_value(json_object_get(v, "role")),
                                           (long long)json_integer_value(json_object_get(v, "community_id")));
    json_decref(roles);
    json_decref(global);
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    if (argc < 1 || flag(argc, argv, "--help")) {
        printf("usage: linli user add --login L --password-file F --role R [--community ID] [--district ID] [--org ID] [--name N]\n"
               "       linli user passwd --login L --password-file F\n"
               "       linli user roles --login L [--grant R | --revoke R] [--community ID]\n\n"
               "Roles: staff, social_worker, volunteer, resident, org_rep, reviewer, reporter, editor (per community);\n"
               "district_admin (needs --district), admin.\n"
               "--org ID (with --role org_rep): the organisation of the community the account represents; an org rep\n"
               "proposes, edits, attaches and reports only for organisations it is linked to (staff link more in the\n"
               "console: POST /api/v1/communities/{id}/organisations/{org_id}/reps).\n"
               "passwd sets the password from the file's first line and ends every session of the account.\n\n%s",
               common_help);
        return argc < 1 ? 2 : 0;
    }
    static const char *const add_opts[] = {"--login", "--password-file", "--role", "--community", "--district", "--name", "--org",
                                           "--db", "--data-dir", "--secret-key-file", NULL};
    static const char *const passwd_opts[] = {"--login", "--password-file", "--db", "--data-dir", "--secret-key-file", NULL};
    static const char *const roles_opts[] = {"--login", "--grant", "--revoke", "--community", "--db", "--data-dir",
                                             "--secret-key-file", NULL};
    const char *sub = argv[0];
    struct cmd c = {"user", NULL, NULL, strcmp(sub, "add") == 0 ? add_opts : strcmp(sub, "passwd") == 0 ? passwd_opts : roles_opts};
    if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 && strcmp(sub, "roles") != 0) {
        fprintf(stderr, "linli user: unknown subcommand %s (add, passwd, roles)\n", sub);
        return 2;
    }
    if (check_args(&c, argc - 1, argv + 1) != 0)
        return 2;
    struct config cf;
    store *s = cli_store(argc, argv, &cf, 1);
    if (!s)
        return 1;
    arena *a = arena_new();
    int rc = strcmp(sub, "add") == 0      ? user_add(argc, argv, s, a)
             : strcmp(sub, "passwd") == 0 ? user_passwd(argc, argv, s, a)
                                          : user_roles(argc, argv, s, a);
    arena_free(a);
    store_close(s);
    return rc;
}

static int cmd_audit(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "verify") != 0) {
        fprintf(stderr, "usage: linli audit verify [--db URL]\n");
        return 2;
    }
    struct config cf;
    store *s = cli_store(argc, argv, &cf, 0);
    if (!s)
        return 1;
    long rows = 0;
    char bad[512];
    int rc = audit_verify(s, &rows, bad, sizeof bad);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "linli audit verify: BROKEN at %s (%ld rows read)\n", bad, rows);
        return 1;
    }
    printf("linli audit verify: ok, %ld rows, every chain holds\n", rows);
    return 0;
}

static int cmd_ledger(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "verify") != 0) {
        fprintf(stderr, "usage: linli ledger verify [--community ID] [--db URL]\n");
        return 2;
    }
    struct config cf;
    const char *c = opt(argc, argv, "--community");
    store *s = cli_store(argc, argv, &cf, 0);
    if (!s)
        return 1;
    long n = 0;
    char bad[512];
    int rc = ledger_verify(s, c ? strtoll(c, NULL, 10) : 0, &n, bad, sizeof bad);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "linli ledger verify: BROKEN at %s (%ld entries read)\n", bad, n);
        return 1;
    }
    printf("linli ledger verify: ok, %ld entries, every chain holds\n", n);
    return 0;
}

extern int store_sqlite_backup(store *s, const char *dest, char *err, size_t errlen);

static int cmd_backup(int argc, char **argv)
{
    struct config cf;
    config_read(argc, argv, &cf);
    if (strncmp(cf.db, "sqlite:", 7) != 0) {
        fprintf(stderr, "linli backup: for PostgreSQL use its own tools, e.g. pg_dump --format=custom \"%s\" > linli.dump\n", cf.db);
        return 2;
    }
    const char *out = opt(argc, argv, "--out");
    if (!out) {
        fprintf(stderr, "linli backup: --out FILE is required\n");
        return 2;
    }
    if (access(out, F_OK) == 0) {
        fprintf(stderr, "linli backup: %s exists; choose a new file\n", out);
        return 1;
    }
    store *s = open_store(&cf, 0);
    if (!s)
        return 1;
    char err[512];
    int rc = store_sqlite_backup(s, out, err, sizeof err);
    store_close(s);
    if (rc != 0) {
        fprintf(stderr, "linli backup: %s\n", err);
        return 1;
    }
    printf("linli: backed up %s to %s (the secret key %s is not in it; keep a copy of the key too)\n", cf.db, out, cf.key_file);
    return 0;
}

/* ---- linli seed: benchmark volumes for `make bench` (scripts/bench.sh), never for a real community ----
 * The entries go through ledger_post, so the fund's SHA-256 chain is real. The accounts it makes
 * share one argon2 hash of a random password nobody learns: they can only be used through the
 * sessions written to --sessions-out, one line each: "voter TOKEN CSRF" or "volunteer TOKEN CSRF ID". */

static const char sql_seed_account[] =
    "INSERT INTO accounts (id, login, display_name, pw_hash, created_at) VALUES ($1, $2, $3, $4, $5)";
static const char sql_seed_session[] =
    "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $5, $4)";
static const char sql_seed_round[] =
    "SELECT id FROM grant_rounds WHERE community_id = $1 AND phase = 'voting' ORDER BY id DESC LIMIT 1";
static const char sql_seed_people[] = "SELECT id FROM people WHERE community_id = $1 ORDER BY id LIMIT $2";
static const char sql_seed_voter[] =
    "INSERT INTO grant_voters (community_id, round_id, account_id, voter_key, method, verified_at) VALUES ($1, $2, $3, $4, 'person', $5)";
static const char sql_seed_vols[] =
    "SELECT id FROM volunteers WHERE community_id = $1 AND status = 'approved' AND account_id IS NULL ORDER BY id LIMIT $2";
static const char sql_seed_vol_link[] = "UPDATE volunteers SET account_id = $3 WHERE community_id = $1 AND id = $2";
static const char sql_seed_compounds[] = "SELECT name FROM compounds WHERE community_id = $1 ORDER BY id";

/* N entries over the last two years: three donations, then a payout smaller than they were. */
static store_rc seed_ledger(store *s, int64_t cid, long n)
{
    static const char *const donors[] = {"李**", "匿名", "黄**", "陈**", "保利上城物业服务中心", "梁**", "何**"};
    int64_t now = (int64_t)time(NULL), span = 730 * 86400;
    store_rc rc = STORE_OK;
    for (long i = 0; rc == STORE_OK && i < n;) {
        arena *a = arena_new();
        rc = store_begin(s);
        for (long k = 0; rc == STORE_OK && k < 2000 && i < n; k++, i++) {
            int out = i % 4 == 3;
            int64_t fen = out ? 4000 + i % 7 * 500 : 2000 + i % 13 * 500, seq;
            const char *bank = i % 8 < 4 ? "1001" : "1002";
            struct entry_in e = {.kind = out ? "disbursement" : "donation", .memo = out ? "微心愿：生活物资" : "居民捐款",
                                 .donor = out ? "" : donors[i % 7], .method = bank[3] == '1' ? "cash" : "wechat",
                                 .created_by = "linli seed", .at = now - span + span * i / n, .n = 2};
            e.p[0] = (struct posting){out ? "5101" : bank, fen, ""};
            e.p[1] = (struct posting){out ? bank : "4101", -fen, ""};
            rc = ledger_post(s, a, cid, &e, &seq);
        }
        if (rc == STORE_OK)
            rc = store_commit(s);
        arena_free(a);
    }
    return rc;
}

/* A benchmark account with one community role and a session written to out. */
static store_rc seed_account(store *s, arena *a, int64_t cid, const char *login, const char *pw_hash, unsigned role,
                             FILE *out, const char *kind, const char *extra, int64_t *id)
{
    int64_t now = (int64_t)time(NULL);
    const char *token = crypto_token(a, 32), *csrf = crypto_token(a, 24);
    store_rc rc = store_next_id(s, a, id);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_seed_account, 5, (const char *[]){arena_i64(a, *id), login, login, pw_hash, arena_i64(a, now)}, NULL);
    if (rc == STORE_OK)
        rc = account_grant(s, a, *id, cid, role, 0);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_seed_session, 5,
                        (const char *[]){crypto_hash_hex(a, token), arena_i64(a, *id), csrf, arena_i64(a, now), arena_i64(a, now + 86400)}, NULL);
    if (rc == STORE_OK)
        fprintf(out, "%s %s %s%s%s\n", kind, token, csrf, extra ? " " : "", extra ? extra : "");
    return rc;
}

/* n resident accounts, each verified for the open voting round as one registry person. */
static store_rc seed_voters(store *s, int64_t cid, int n, const char *pw_hash, FILE *out)
{
    arena *a = arena_new();
    const char *c = arena_i64(a, cid);
    store_rows *round = NULL, *people = NULL;
    store_rc rc = store_exec(s, a, sql_seed_round, 1, (const char *[]){c}, &round);
    if (rc == STORE_OK && round->nrows == 0) {
        fprintf(stderr, "linli seed: community %lld has no round in its voting phase\n", (long long)cid);
        rc = STORE_ERROR;
    }
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_seed_people, 2, (const char *[]){c, arena_i64(a, n)}, &people);
    for (int i = 0; rc == STORE_OK && i < people->nrows; i += 2000) {
        arena *b = arena_new();
        rc = store_begin(s);
        for (int k = i; rc == STORE_OK && k < i + 2000 && k < people->nrows; k++) {
            int64_t id;
            rc = seed_account(s, b, cid, arena_printf(b, "bench-voter-%d", k + 1), pw_hash, ROLE_RESIDENT, out, "voter", NULL, &id);
            if (rc == STORE_OK)
                rc = store_exec(s, b, sql_seed_voter, 5,
                                (const char *[]){c, store_cell(round, 0, 0), arena_i64(b, id),
                                                 arena_printf(b, "person:%s", store_cell(people, k, 0)), arena_i64(b, (int64_t)time(NULL))},
                                NULL);
        }
        if (rc == STORE_OK)
            rc = store_commit(s);
        arena_free(b);
    }
    if (rc == STORE_OK && people->nrows < n)
        fprintf(stderr, "linli seed: only %d people to verify as voters\n", people->nrows);
    arena_free(a);
    return rc;
}

/* Logins for n of the demo's volunteers (with their two years of shifts and hours). */
static store_rc seed_volunteers(store *s, int64_t cid, int n, const char *pw_hash, FILE *out)
{
    arena *a = arena_new();
    const char *c = arena_i64(a, cid);
    store_rows *vols = NULL;
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_seed_vols, 2, (const char *[]){c, arena_i64(a, n)}, &vols);
    for (int i = 0; rc == STORE_OK && i < vols->nrows; i++) {
        int64_t id;
        rc = seed_account(s, a, cid, arena_printf(a, "bench-volunteer-%d", i + 1), pw_hash, ROLE_VOLUNTEER, out, "volunteer",
                          store_cell(vols, i, 0), &id);
        if (rc == STORE_OK)
            rc = store_exec(s, a, sql_seed_vol_link, 3, (const char *[]){c, store_cell(vols, i, 0), arena_i64(a, id)}, NULL);
    }
    if (rc == STORE_OK)
        rc = store_commit(s);
    arena_free(a);
    return rc;
}

/* n synthetic residents (another seed than the demo's) as the CSV that POST …/people/import takes. */
static int seed_people_csv(store *s, int64_t cid, const char *path, int n)
{
    arena *a = arena_new();
    store_rows *names = NULL;
    FILE *f = NULL;
    int rc = store_exec(s, a, sql_seed_compounds, 1, (const char *[]){arena_i64(a, cid)}, &names) == STORE_OK && names->nrows > 0 &&
                     (f = fopen(path, "w")) ? 0 : -1;
    if (f) {
        fputs("姓名,性别,手机号,身份证号,小区,楼栋,房号\n", f);
        for (int i = 0; i < n; i++) {
            struct demo_person p;
            demo_person_make(7u, (uint32_t)i, names->nrows, 12, &p);
            fprintf(f, "%s,%s,%s,%s,%s,%d栋,%s\n", p.name, p.gender == 'M' ? "男" : "女", p.tags & DEMO_TAG_CHILD ? "" : p.phone,
                    p.id_number, store_cell(names, p.compound, 0), p.building, p.room);
        }
        rc = fclose(f) == 0 ? 0 : -1;
    }
    arena_free(a);
    return rc;
}

static int cmd_seed(int argc, char **argv)
{
    const char *c = opt(argc, argv, "--community"), *sessions = opt(argc, argv, "--sessions-out");
    const char *ledger = opt(argc, argv, "--ledger"), *voters = opt(argc, argv, "--voters");
    const char *vols = opt(argc, argv, "--volunteer-logins"), *csv = opt(argc, argv, "--people-csv");
    const char *people = opt(argc, argv, "--people");
    int64_t cid = c ? strtoll(c, NULL, 10) : 0;
    if (cid <= 0 || ((voters || vols) && !sessions) || !(ledger || voters || vols || csv)) {
        fprintf(stderr, "linli seed: --community ID is required, with at least one of --ledger, --voters, --volunteer-logins, "
                        "--people-csv (and --sessions-out FILE with --voters or --volunteer-logins)\n");
        return 2;
    }
    struct config cf;
    store *s = cli_store(argc, argv, &cf, 1);
    if (!s)
        return 1;
    char hash[128];
    arena *a = arena_new();
    FILE *out = NULL;
    int rc = crypto_password_hash(crypto_token(a, 24), hash) == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "linli seed: cannot hash a password (out of memory?)\n");
    if (rc == 0 && ledger && (rc = seed_ledger(s, cid, atol(ledger)) == STORE_OK ? 0 : -1) == 0)
        printf("linli seed: %ld ledger entries posted\n", atol(ledger));
    if (rc == 0 && sessions && !(out = fopen(sessions, "w"))) {
        fprintf(stderr, "linli seed: cannot write %s: %s\n", sessions, strerror(errno));
        rc = 1;
    }
    if (rc == 0 && voters && (rc = seed_voters(s, cid, atoi(voters), hash, out) == STORE_OK ? 0 : -1) == 0)
        printf("linli seed: verified voters with sessions in %s\n", sessions);
    if (rc == 0 && vols && (rc = seed_volunteers(s, cid, atoi(vols), hash, out) == STORE_OK ? 0 : -1) == 0)
        printf("linli seed: volunteer logins with sessions in %s\n", sessions);
    if (rc < 0) { /* a store error (its message, unless it was reported where it happened) */
        const char *msg = store_errmsg(s);
        if (msg && *msg)
            fprintf(stderr, "linli seed: %s\n", msg);
        store_rollback(s);
    }
    if (out && fclose(out) != 0 && rc == 0)
        rc = 1;
    if (rc == 0 && csv && seed_people_csv(s, cid, csv, people ? atoi(people) : 40000) != 0) {
        fprintf(stderr, "linli seed: cannot write %s, or the community has no compounds\n", csv);
        rc = 1;
    } else if (rc == 0 && csv)
        printf("linli seed: people to import in %s\n", csv);
    arena_free(a);
    store_close(s);
    return rc == 0 ? 0 : 1;
}

static const char sql_marker_set[] = "INSERT INTO rekey_marker (id) VALUES (1)";
static const char sql_marker_clear[] = "DELETE FROM rekey_marker";
static const char sql_last_rekey[] =
    "SELECT after_json FROM audit_log WHERE community_id = 0 AND action = 'rekey' ORDER BY seq DESC LIMIT 1";

/* After an interrupted rekey: the audit row of a rekey is committed with its new values, and names
 * its new key (key_id). So if the last one names the key in KEY.new, the transaction committed and
 * only the rename is left to do; otherwise it never committed and KEY.new is not needed. */
static int rekey_recover(store *s, const char *keypath, const char *newpath)
{
    char err[512], id[17];
    struct crypto_keys next;
    if (access(newpath, F_OK) != 0) {
        printf("linli rekey: nothing to recover (there is no %s)\n", newpath);
        return 0;
    }
    if (crypto_key_load(newpath, &next, err, sizeof err) != 0) {
        fprintf(stderr, "linli rekey: %s; a rekey never committed with it: remove it\n", err);
        return 1;
    }
    crypto_key_id(&next, id);
    sodium_memzero(&next, sizeof next);
    arena *a = arena_new();
    store_rows *rows = NULL;
    if (!a || store_exec(s, a, sql_last_rekey, 0, NULL, &rows) != STORE_OK) {
        fprintf(stderr, "linli rekey: cannot read the audit log: %s\n", a ? store_errmsg(s) : "out of memory");
        arena_free(a);
        return 1;
    }
    json_error_t e;
    json_t *last = rows->nrows ? json_parse_str(store_cell(rows, 0, 0), &e) : NULL;
    int committed = last && json_string_value(json_object_get(last, "key_id")) &&
                    strcmp(json_string_value(json_object_get(last, "key_id")), id) == 0;
    json_decref(last);
    arena_free(a);
    if (committed) {
        if (crypto_key_install(newpath, keypath, err, sizeof err) != 0) {
            fprintf(stderr, "linli rekey: %s\n", err);
            return 1;
        }
        printf("linli rekey: the rekey had committed; %s now holds its key (id %s). Copy it to every server.\n", keypath, id);
        return 0;
    }
    if (unlink(newpath) != 0) {
        fprintf(stderr, "linli rekey: cannot remove %s: %s\n", newpath, strerror(errno));
        return 1;
    }
    printf("linli rekey: the rekey had not committed: nothing was re-sealed, %s is unchanged; removed %s\n", keypath, newpath);
    return 0;
}

/* Prints the counts of a rekey or a check. */
static void rekey_print(const json_t *counts)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)counts, k, v) {
        if (json_is_integer(v)) {
            printf("  %-30s %lld\n", k, (long long)json_integer_value(v));
            continue;
        }
        const char *k2;
        json_t *v2;
        json_object_foreach(v, k2, v2) printf("  %-30s %lld %s\n", k2, (long long)json_integer_value(v2),
                                              strcmp(k, "altered") == 0 ? "left as they were (their signature did not match)"
                                              : strcmp(k, "voided") == 0 ? "voided" : "kept only as a keyed hash");
    }
}

/* Re-seals every sealed value with a new key (core/rekey.h), in this order, so that a crash at any
 * moment leaves a database and a key file that match or a leftover that --recover resolves:
 *   1. the new key is written to KEY.new (synced); KEY still opens the data;
 *   2. one transaction re-seals everything with it and writes the audit row naming it (key_id);
 *   3. KEY.new is renamed over KEY (synced).
 * A crash before 2 commits leaves KEY.new unused; after, KEY.new is the key: `linli serve` refuses
 * to start while KEY.new exists, and --recover tells the two apart by the audit row. */
static int cmd_rekey(int argc, char **argv)
{
    struct config cf;
    config_read(argc, argv, &cf);
    int check = flag(argc, argv, "--check"), recover = flag(argc, argv, "--recover");
    int void_codes = flag(argc, argv, "--void-unused-codes");
    const char *from = opt(argc, argv, "--new-key-file");
    if (check + recover + (from != NULL) > 1) {
        fprintf(stderr, "linli rekey: --check, --recover and --new-key-file go one at a time\n");
        return 2;
    }
    char keypath[PATH_MAX + 16], newpath[PATH_MAX + 24], err[512];
    rekey_paths(&cf, keypath, newpath, sizeof newpath);
    if (!recover && !check && rekey_unfinished(&cf))
        return 1;
    struct crypto_keys old, next;
    if (crypto_key_load(cf.key_file, &old, err, sizeof err) != 0) {
        fprintf(stderr, "linli rekey: %s\n", err);
        return 1;
    }
    store *s = open_store(&cf, 1);
    if (!s)
        return 1;
    int rc = 1;
    arena *a = arena_new();
    json_t *counts = json_object();
    char old_id[17], new_id[17];
    crypto_key_id(&old, old_id);
    if (!a || !counts) {
        fprintf(stderr, "linli rekey: out of memory\n");
        goto done;
    }
    if (recover) {
        rc = rekey_recover(s, keypath, newpath);
        goto done;
    }
    if (check) { /* reads only, outside a transaction: it may run beside a server */
        if (rekey_run(s, &old, NULL, 0, counts, err, sizeof err) != 0) {
            fprintf(stderr, "linli rekey --check: %s\n", err);
            goto done;
        }
        printf("linli rekey --check: every sealed value opens with %s (key id %s):\n", cf.key_file, old_id);
        rekey_print(counts);
        rc = 0;
        goto done;
    }
    rekey_probe_rc probe = rekey_probe(s, &old, err, sizeof err);
    if (probe == REKEY_PROBE_ERROR || probe == REKEY_PROBE_OTHER_KEY) {
        fprintf(stderr, "linli rekey: %s; nothing changed\n",
                probe == REKEY_PROBE_ERROR ? err : "the key in the key file does not open this database's personal data");
        goto done;
    }
    /* 1. the new key, beside the old one */
    if ((from ? crypto_key_copy(from, newpath, err, sizeof err) : crypto_key_create(newpath, err, sizeof err)) != 0 ||
        crypto_key_load(newpath, &next, err, sizeof err) != 0) {
        fprintf(stderr, "linli rekey: %s; nothing changed\n", err);
        if (access(newpath, F_OK) == 0 && unlink(newpath) != 0)
            fprintf(stderr, "linli rekey: also remove %s by hand\n", newpath);
        goto done;
    }
    crypto_key_id(&next, new_id);
    if (strcmp(new_id, old_id) == 0) {
        fprintf(stderr, "linli rekey: the new key is the key in use; nothing changed\n");
        (void)unlink(newpath); /* it was made just now, from --new-key-file, which is kept */
        rc = 2;
        goto done;
    }
    /* 2. one transaction: everything re-sealed, and the audit row that names the new key */
    store_rc src = store_begin(s);
    if (src == STORE_OK)
        src = store_exec(s, a, sql_marker_set, 0, NULL, NULL);
    int r = src == STORE_OK ? rekey_run(s, &old, &next, void_codes, counts, err, sizeof err) : -1;
    if (src == STORE_OK && r == 0)
        src = store_exec(s, a, sql_marker_clear, 0, NULL, NULL);
    /* The row that names the new key: --recover decides by it, so it is written whole or not at all. */
    json_t *after = r == 0 ? json_pack("{s:s, s:s, s:O}", "key_id", new_id, "old_key_id", old_id, "resealed", counts) : NULL;
    if (src == STORE_OK && r == 0 && !after) {
        snprintf(err, sizeof err, "out of memory");
        r = -1;
    }
    if (src == STORE_OK && r == 0)
        src = audit_cli(s, a, 0, "linli rekey", "rekey", "secret_key", NULL, after);
    else
        json_decref(after);
    if (src == STORE_OK && r == 0)
        src = store_commit(s);
    if (src != STORE_OK || r != 0) {
        const char *why = src != STORE_OK ? store_errmsg(s) : err;
        store_rollback(s);
        if (unlink(newpath) != 0)
            fprintf(stderr, "linli rekey: also remove %s by hand (it was never used)\n", newpath);
        fprintf(stderr, "linli rekey: %s; nothing changed, %s still opens the data\n", why, cf.key_file);
        if (r == -2)
            fprintf(stderr, "linli rekey: pass --void-unused-codes to delete the voting codes not yet used "
                            "(print new ones for the round afterwards)\n");
        goto done;
    }
    /* Tests only: stop as a crash right after the commit would (tests/api/security-files.test.mjs). */
    const char *stop = getenv("LINLI_TEST_REKEY_STOP");
    if (stop && strcmp(stop, "committed") == 0) {
        fprintf(stderr, "linli rekey: stopping after the commit (LINLI_TEST_REKEY_STOP)\n");
        rc = 3;
        goto done;
    }
    /* 3. the new key in place */
    if (crypto_key_install(newpath, keypath, err, sizeof err) != 0) {
        fprintf(stderr, "linli rekey: the data is re-sealed with the key in %s, but %s; run `linli rekey --recover`\n", newpath, err);
        goto done;
    }
    printf("linli rekey: every sealed value is re-sealed with a new key (key id %s, was %s):\n", new_id, old_id);
    rekey_print(counts);
    printf("linli rekey: %s holds the new key. Copy it to every server before starting them (a server with the old key\n"
           "  refuses to start). Backups made before now need the old key. QR check-in codes and calendar links\n"
           "  made before now no longer work: make them again.\n", keypath);
    rc = 0;
done:
    sodium_memzero(&old, sizeof old);
    sodium_memzero(&next, sizeof next);
    json_decref(counts);
    arena_free(a);
    store_close(s);
    return rc;
}

static int cmd_openapi(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    json_t *doc = openapi_document();
    json_dumpf(doc, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(doc);
    return 0;
}

#include "server/router.h"

/* The authorization matrix as Markdown: docs/authorization.md is this output (a test checks). */
static int cmd_permissions(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("# Authorization matrix\n\nMade by `linli permissions` from the route table and `src/auth/roles.c`; "
           "a test checks that this file is current.\n\n## Permissions\n\n| permission | roles | what it allows |\n| --- | --- | --- |\n");
    for (int i = 0; i < permission_count; i++) {
        printf("| `%s` | ", permissions[i].name);
        int first = 1;
        for (int b = 0; b < ROLE_COUNT; b++)
            if (permissions[i].roles & (1u << b)) {
                printf("%s%s", first ? "" : ", ", role_name(1u << b));
                first = 0;
            }
        printf(" | %s |\n", permissions[i].doc);
    }
    printf("\n## Endpoints\n\nThe finer rules are what the handler decides beyond the permission: a permission whose "
           "holders may see or do more, a body field only some may use, or what is one's own.\n\n"
           "| method | path | permission | finer rules |\n| --- | --- | --- | --- |\n");
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            const route *rt = &modules[m]->routes[i];
            printf("| %s | `%s` | %s | ", rt->method, rt->path, rt->flags & R_PUBLIC ? "public" : rt->perm);
            const char *sep = "";
            for (const char *const *f = rt->finer; f && *f; f++, sep = "; ")
                printf(strncmp(*f, "own:", 4) == 0 ? "%s%s" : "%s`%s`", sep, *f);
            for (const field_spec *f = rt->body; f && f->name; f++)
                if (f->perm) {
                    if (f->perm_value)
                        printf("%s`%s`: %s = %s", sep, f->perm, f->name, f->perm_value);
                    else
                        printf("%s`%s`: %s", sep, f->perm, f->name);
                    sep = "; ";
                }
            printf(" |\n");
        }
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("linli %s\n", LINLI_VERSION);
    return 0;
}

#define COMMON "--db", "--data-dir", "--secret-key-file"
static const char *const serve_opts[] = {COMMON, "--listen", "--web-dir", "--threads", "--max-connections", "--max-per-ip", "--public-url", "--quiet!",
                                         "--secure-cookies!", "--insecure-cookies!", "--session-hours", "--session-idle-minutes", "--trust-proxy", NULL};
static const char *const init_opts[] = {COMMON, "--demo!", "--residents", "--admin-password-file", NULL};
static const char *const common_opts[] = {COMMON, NULL};
static const char *const backup_opts[] = {COMMON, "--out", NULL};
static const char *const ledger_opts[] = {COMMON, "--community", NULL};
static const char *const rekey_opts[] = {COMMON, "--new-key-file", "--void-unused-codes!", "--check!", "--recover!", NULL};
static const char *const seed_opts[] = {COMMON, "--community", "--ledger", "--voters", "--volunteer-logins", "--sessions-out",
                                        "--people-csv", "--people", NULL};
static const char *const none_opts[] = {NULL};

static const struct cmd commands[] = {
    {"serve", cmd_serve,
     "linli serve [--listen HOST:PORT] [--web-dir DIR] [--threads N] [--max-connections N] [--max-per-ip N]\n"
     "            [--public-url URL] [--quiet] [--secure-cookies | --insecure-cookies] [--session-hours N]\n"
     "            [--session-idle-minutes N] [--trust-proxy ADDR[,ADDR...]]\n\n"
     "Serves the API and the pages. Applies pending migrations first.\n"
     "  --listen HOST:PORT   address to listen on (LINLI_LISTEN; default 127.0.0.1:8080; port 0 picks a free one)\n"
     "  --web-dir DIR        the built pages (LINLI_WEB_DIR; default web/dist)\n"
     "  --threads N          worker threads (default: the number of cores, at least 2)\n"
     "  --max-connections N  open connections in all (default: 16384, or fewer if the open-file limit is lower)\n"
     "  --max-per-ip N       open connections from one address (default 1024); more are refused at once\n"
     "  --public-url URL     where people reach linli, http(s)://HOST[:PORT], e.g. https://wenhua.example.cn\n"
     "                       (LINLI_PUBLIC_URL): the address in QR codes (check-in, certificates) and absolute\n"
     "                       links; default http://HOST:PORT of --listen, never a request's Host header\n"
     "  --quiet              no access log\n"
     "  --secure-cookies     mark the session cookie Secure also on a loopback address (it is by default on any\n"
     "                       other; on loopback it is also when a --trust-proxy proxy sends X-Forwarded-Proto: https)\n"
     "  --insecure-cookies   never mark it Secure: only for a trusted network without HTTPS (the cookie then\n"
     "                       travels in clear)\n"
     "  --session-hours N    a session ends N hours after the login, used or not (default 12)\n"
     "  --session-idle-minutes N\n"
     "                       a session ends after N minutes without a request (default 120)\n"
     "  --trust-proxy ADDR   the IPv4 address(es) of the reverse proxy in front of linli, comma-separated: from\n"
     "                       them only, X-Forwarded-For names the client (for the login throttle) and\n"
     "                       X-Forwarded-Proto: https makes the cookie Secure; from anyone else both are ignored\n",
     serve_opts},
    {"init", cmd_init,
     "linli init [--demo] [--residents N] [--admin-password-file FILE]\n\n"
     "Creates the data folder, the secret key, the schema and the account admin. Without\n"
     "--admin-password-file a password is generated and printed once.\n"
     "  --demo            also create the demo community 文华社区 (龙江镇, 顺德区)\n"
     "  --residents N     synthetic residents in the demo (default 2000)\n",
     init_opts},
    {"migrate", cmd_migrate, "linli migrate\n\nApplies pending schema migrations (serve does this too).\n", common_opts},
    {"user", cmd_user, "linli user add|passwd|roles ... (see linli user --help)\n", NULL},
    {"audit", cmd_audit,
     "linli audit verify\n\nRecomputes the audit log's hash chains; exits 0 when they hold, 1 naming the first bad row.\n",
     common_opts},
    {"ledger", cmd_ledger,
     "linli ledger verify [--community ID]\n\nRecomputes the fund ledger's SHA-256 chains; exits 0 when they hold, 1 naming the first bad entry.\n",
     ledger_opts},
    {"backup", cmd_backup,
     "linli backup --out FILE\n\nAn online copy of the SQLite database (safe while serving). For PostgreSQL, use pg_dump.\n",
     backup_opts},
    {"rekey", cmd_rekey,
     "linli rekey [--new-key-file FILE] [--void-unused-codes] | --check | --recover\n\n"
     "Moves every sealed value (phone and ID numbers, needy flags, wishes' private details, donors' names)\n"
     "to a new secret key and recomputes every keyed hash and signature, in one transaction with one\n"
     "audit row; then puts the new key in the key file. Stop every server first (docs/operations.md).\n"
     "  --new-key-file FILE   use the key in FILE (64 hex characters) instead of a new random one\n"
     "  --void-unused-codes   delete the grant voting codes not yet used (kept only as a keyed hash, they\n"
     "                        cannot be re-keyed); without it rekey refuses while there are some\n"
     "  --check               only check that every sealed value opens with the key file; exit 1 if not\n"
     "  --recover             after an interrupted rekey (KEY.new left): finish it, or undo it\n",
     rekey_opts},
    {"seed", cmd_seed,
     "linli seed --community ID [--ledger N] [--voters N] [--volunteer-logins N] [--sessions-out FILE]\n"
     "           [--people-csv FILE [--people N]]\n\n"
     "Benchmark volumes for `make bench` (scripts/bench.sh) on a throw-away demo database; never on a real one.\n"
     "  --ledger N            post N donations and payouts through the fund's chained ledger\n"
     "  --voters N            N resident accounts, each verified for the open voting round as one registry person\n"
     "  --volunteer-logins N  accounts for N of the demo's volunteers\n"
     "  --sessions-out FILE   a session for each account made: lines \"voter TOKEN CSRF\", \"volunteer TOKEN CSRF ID\"\n"
     "  --people-csv FILE     N synthetic residents (default 40000) as a CSV for POST .../people/import\n",
     seed_opts},
    {"openapi", cmd_openapi, "linli openapi\n\nPrints the OpenAPI 3.1 document of the API.\n", none_opts},
    {"permissions", cmd_permissions, "linli permissions\n\nPrints the authorization matrix (Markdown).\n", none_opts},
    {"version", cmd_version, "linli version\n\nPrints the version.\n", none_opts},
};

static void usage(FILE *f)
{
    fprintf(f, "linli (邻里) %s — the community-building platform\n\nusage: linli COMMAND [options]\n\ncommands:\n",
            LINLI_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %s", commands[i].usage);
    fprintf(f, "\n%s\n`linli COMMAND --help` describes one command.\n", common_help);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    json_alloc_install(); /* before any JSON is made: jansson's allocator is fixed from then on */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(0, NULL);
    if (crypto_init() != 0) {
        fprintf(stderr, "linli: libsodium failed to initialise\n");
        return 1;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const struct cmd *c = &commands[i];
        if (strcmp(argv[1], c->name) != 0)
            continue;
        if (c->options && flag(argc - 2, argv + 2, "--help")) {
            printf("usage: %s\n%s", c->usage, c->options == none_opts ? "" : common_help);
            return 0;
        }
        int skip = (strcmp(c->name, "audit") == 0 || strcmp(c->name, "ledger") == 0) && argc > 2 ? 3 : 2;
        if (c->options && check_args(c, argc - skip, argv + skip) != 0)
            return 2;
        return c->fn(argc - 2, argv + 2);
    }
    fprintf(stderr, "linli: unknown command %s\n\n", argv[1]);
    usage(stderr);
    return 2;
}
