/* linli's command line: parses the subcommand and its options, builds the application (config,
 * keys, store) and hands off. Nothing below main calls exit(). */
#include "auth/account.h"
#include "auth/roles.h"
#include "core/audit.h"
#include "core/crypto.h"
#include "modules/registry/registry.h"
#include "modules/volunteers/volunteers.h"
#include "modules/fund/fund.h"
#include "modules/wishes/wishes.h"
#include "modules/grants/grants.h"
#include "server/http.h"
#include "server/openapi.h"
#include "server/static.h"
#include "store/migrate.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ---- commands ---- */

static int cmd_serve(int argc, char **argv)
{
    struct config cf;
    config_read(argc, argv, &cf);
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
    char err[512];
    if (crypto_key_load(cf.key_file, &app.keys, err, sizeof err) != 0) {
        fprintf(stderr, "linli: %s\n", err);
        return 1;
    }
    store *s = open_store(&cf, 1);
    if (!s)
        return 1;
    app.store_kind = store_kind(s);
    store_close(s);
    app.db_url = cf.db;
    app.data_dir = cf.data_dir;
    app.session_hours = 12;
    app.quiet = flag(argc, argv, "--quiet");
    app.secure_cookies = flag(argc, argv, "--secure-cookies");
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
        return 2;
    }
    int rc = http_serve(&app, host, port, (int)threads);
    static_free(app.web);
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
    store_rc src = store_begin(s);
    if (src == STORE_OK)
        src = account_create(s, a, "admin", "管理员", password, &admin_id);
    if (src == STORE_OK)
        src = account_grant(s, a, admin_id, 0, ROLE_ADMIN, 0);
    if (src == STORE_OK)
        src = audit_cli(s, a, 0, "linli init", "create", "account", "admin", json_pack("{s:s}", "login", "admin"));
    if (src == STORE_OK)
        src = store_commit(s);
    if (src != STORE_OK) {
        fprintf(stderr, "linli: cannot create the admin account: %s\n", store_errmsg(s));
        store_rollback(s);
        goto done;
    }
    if (flag(argc, argv, "--demo")) {
        int64_t cid;
        printf("linli: creating the demo community 文华社区 with %d residents\n", residents);
        fflush(stdout);
        if (registry_demo_create(s, &keys, residents, admin_id, &cid, err, sizeof err) != 0) {
            fprintf(stderr, "linli: %s\n", err);
            goto done;
        }
        if (volunteers_demo_create(s, &keys, cid, err, sizeof err) != 0 || fund_demo_create(s, cid, err, sizeof err) != 0 ||
            wishes_demo_create(s, &keys, cid, err, sizeof err) != 0 || grants_demo_create(s, cid, admin_id, err, sizeof err) != 0) {
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
    config_read(argc, argv, &cf);
    store *s = open_store(&cf, 1);
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
    const char *name = opt(argc, argv, "--name");
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
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        store_rollback(s);
        fprintf(stderr, "linli user add: %s\n", rc == STORE_CONSTRAINT ? "the login is taken, or no such community or district" : store_errmsg(s));
        return 1;
    }
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
    if (rc == STORE_OK)
        rc = account_set_password(s, a, id, password);
    if (rc == STORE_OK)
        rc = audit_cli(s, a, 0, "linli user", "passwd", "account", login, NULL);
    if (rc == STORE_OK)
        rc = store_commit(s);
    if (rc != STORE_OK) {
        store_rollback(s);
        fprintf(stderr, "linli user passwd: %s\n", store_errmsg(s));
        return 1;
    }
    printf("linli: password of %s changed\n", login);
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
        printf("usage: linli user add --login L --password-file F --role R [--community ID] [--district ID] [--name N]\n"
               "       linli user passwd --login L --password-file F\n"
               "       linli user roles --login L [--grant R | --revoke R] [--community ID]\n\n"
               "Roles: staff, social_worker, volunteer, resident, org_rep, reviewer, reporter, editor (per community);\n"
               "district_admin (needs --district), admin.\n\n%s",
               common_help);
        return argc < 1 ? 2 : 0;
    }
    static const char *const add_opts[] = {"--login", "--password-file", "--role", "--community", "--district", "--name",
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
    config_read(argc, argv, &cf);
    store *s = open_store(&cf, 1);
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
    config_read(argc, argv, &cf);
    store *s = open_store(&cf, 0);
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
    config_read(argc, argv, &cf);
    const char *c = opt(argc, argv, "--community");
    store *s = open_store(&cf, 0);
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
    printf("\n## Endpoints\n\n| method | path | permission |\n| --- | --- | --- |\n");
    for (int m = 0; m < module_count; m++)
        for (int i = 0; i < modules[m]->nroutes; i++) {
            const route *rt = &modules[m]->routes[i];
            printf("| %s | `%s` | %s |\n", rt->method, rt->path, rt->flags & R_PUBLIC ? "public" : rt->perm);
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
static const char *const serve_opts[] = {COMMON, "--listen", "--web-dir", "--threads", "--max-connections", "--max-per-ip", "--quiet!", "--secure-cookies!", NULL};
static const char *const init_opts[] = {COMMON, "--demo!", "--residents", "--admin-password-file", NULL};
static const char *const common_opts[] = {COMMON, NULL};
static const char *const backup_opts[] = {COMMON, "--out", NULL};
static const char *const ledger_opts[] = {COMMON, "--community", NULL};
static const char *const none_opts[] = {NULL};

static const struct cmd commands[] = {
    {"serve", cmd_serve,
     "linli serve [--listen HOST:PORT] [--web-dir DIR] [--threads N] [--max-connections N] [--max-per-ip N]\n"
     "            [--quiet] [--secure-cookies]\n\n"
     "Serves the API and the pages. Applies pending migrations first.\n"
     "  --listen HOST:PORT   address to listen on (LINLI_LISTEN; default 127.0.0.1:8080; port 0 picks a free one)\n"
     "  --web-dir DIR        the built pages (LINLI_WEB_DIR; default web/dist)\n"
     "  --threads N          worker threads (default: the number of cores, at least 2)\n"
     "  --max-connections N  open connections in all (default: 16384, or fewer if the open-file limit is lower)\n"
     "  --max-per-ip N       open connections from one address (default 1024); more are refused at once\n"
     "  --quiet              no access log\n"
     "  --secure-cookies     mark the session cookie Secure (also automatic behind an HTTPS proxy that sends\n"
     "                       X-Forwarded-Proto: https)\n",
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
