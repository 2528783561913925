/* Power loss, in the manner of SQLite's own crash tests (test6.c). A test VFS, registered as the
 * default before the store opens its database, keeps every file in memory twice: the durable image
 * (what the last xSync of that file made safe) and the current image (with the writes since). A
 * simulated power loss keeps the durable image and lets the writes that were never synced land
 * whole, vanish, or tear (sector by sector: new bytes, old bytes or garbage). Either each write's
 * fate is drawn on its own — so any subset of them survives, which is every order the disk could
 * have written them in, except that two writes to the same bytes keep their order, as the page
 * cache keeps only the latest — or the disk wrote them in order and stopped at some point. The
 * shared memory of WAL mode lives in memory only and is gone after the loss, as after a reboot.
 *
 * Each cycle reopens the store through the real code path (store_open with its pragmas:
 * journal_mode=WAL, synchronous=FULL; then the migrations), checks what survived, makes writes
 * that matter, each in its own transaction (a donation in the ledger with its audit row, a batch of
 * donations, an audit row alone; a COMMIT that answered OK is "acknowledged"), and then cuts the
 * power: between two transactions, in the middle of an open one, at a random change to a file (in a
 * COMMIT, in a page-cache spill, in a checkpoint) or at a random xSync, as test6.c does. After the
 * cut the VFS refuses every further change, the connection is dropped, the unsynced writes are
 * mangled, and the next cycle reopens the files. The checks: PRAGMA integrity_check and
 * foreign_key_check; the schema is whole; the ledger's entries and the audit rows are exactly the
 * acknowledged ones, in order (plus, wholly or not at all, the one whose COMMIT was cut off; never
 * one that was not committed); every entry balances and no posting lacks its entry; cash and bank
 * hold the sum of the acknowledged donations; ledger_verify and audit_verify hold.
 *
 * The disk is the one SQLite's unix VFS describes on Linux: 4096-byte sectors, powersafe overwrite
 * (a torn write garbles only bytes it was writing). LINLI_POWERLOSS_NO_PSOW=1 runs the main loop on
 * a harsher disk instead — 512-byte sectors, a torn write may garble its whole sector — which
 * SQLite also claims to survive (it pads each commit to a sector boundary); see docs/reliability.md
 * for what that run finds.
 *
 * Two more runs show that the simulation bites: with synchronous=NORMAL (a commit is not synced)
 * and on a disk whose xSync does nothing, the same loop must find a lost write. Everything is
 * deterministic: the seed is printed, LINLI_POWERLOSS_SEED replays another, and
 * LINLI_POWERLOSS_TRACE=1 prints every file operation and the fate of every unsynced write.
 *
 * Deliberate simplifications: creating and deleting a file are durable at once (a real file system
 * makes them durable when the directory is synced; linli's WAL database creates files only when it
 * is new and deletes them only when it closes cleanly); one connection at a time, so the locks
 * always succeed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "core/audit.h"
#include "core/clock.h"
#include "modules/fund/fund.h"
#include "store/migrate.h"
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers: one seeded stream, so that a seed replays a run ---- */

static uint64_t rng_state;
static int trace; /* LINLI_POWERLOSS_TRACE */

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n) { return rnd() % n; }

/* ---- the simulated disk ---- */

enum { MAX_SECTOR = 4096 };
#define DB_PATH "/powerloss/linli.db"

struct image {
    unsigned char *buf;
    size_t len, cap;
};

/* A change not yet synced: len bytes written at off, or (truncate) the file cut to length off. */
struct op {
    struct op *next;
    sqlite3_int64 off;
    size_t len;
    int truncate;
    unsigned char data[];
};

struct memfile {
    struct memfile *next;
    char *name; /* NULL for a temporary file, which is never in the list */
    struct image durable, current;
    struct op *ops, **ops_tail; /* changes since the last xSync, oldest first */
    long nops;
    int nref;     /* open handles */
    int unlinked; /* deleted while open: freed at the last close */
    void **shm;   /* WAL shared memory: regions, in memory only */
    int nshm, shm_refs;
};

static struct {
    sqlite3_vfs *real; /* the platform's VFS: clock, sleep, dynamic loading */
    struct memfile *files;
    int dead;          /* the power is off: every change fails and is not made */
    long countdown;    /* > 0: the power goes off at the countdown-th change from now ... */
    int cut_at_sync;   /* ... counting only xSync calls */
    int ignore_sync;   /* a disk that lies: xSync returns OK and makes nothing durable */
    int sector;        /* the sector size the VFS reports, at most MAX_SECTOR */
    int psow;          /* powersafe overwrite: a torn write garbles no byte it was not writing */
    int uncommitted;   /* set by the test while a transaction it will not commit is open */
    struct {
        long writes, syncs, db_syncs, truncates, uncommitted_writes;
        long losses, landed, lost, torn, garbage, in_order;
    } n;
} disk;

static void image_reserve(struct image *im, size_t len)
{
    if (len <= im->cap)
        return;
    size_t cap = im->cap ? im->cap : 8192;
    while (cap < len)
        cap *= 2;
    unsigned char *b = realloc(im->buf, cap);
    assert_non_null(b);
    im->buf = b;
    im->cap = cap;
}

static void image_write(struct image *im, sqlite3_int64 off, const void *data, size_t len)
{
    size_t end = (size_t)off + len;
    image_reserve(im, end);
    if ((size_t)off > im->len)
        memset(im->buf + im->len, 0, (size_t)off - im->len);
    memcpy(im->buf + off, data, len);
    if (end > im->len)
        im->len = end;
}

static void image_truncate(struct image *im, sqlite3_int64 size)
{
    if ((size_t)size > im->len) {
        image_reserve(im, (size_t)size);
        memset(im->buf + im->len, 0, (size_t)size - im->len);
    }
    im->len = (size_t)size;
}

static void image_copy(struct image *to, const struct image *from)
{
    image_reserve(to, from->len);
    if (from->len)
        memcpy(to->buf, from->buf, from->len);
    to->len = from->len;
}

static void ops_free(struct memfile *f)
{
    while (f->ops) {
        struct op *o = f->ops;
        f->ops = o->next;
        free(o);
    }
    f->ops_tail = &f->ops;
    f->nops = 0;
}

static void shm_free(struct memfile *f)
{
    for (int i = 0; i < f->nshm; i++)
        free(f->shm[i]);
    free(f->shm);
    f->shm = NULL;
    f->nshm = 0;
    f->shm_refs = 0;
}

static void memfile_free(struct memfile *f)
{
    ops_free(f);
    shm_free(f);
    free(f->durable.buf);
    free(f->current.buf);
    free(f->name);
    free(f);
}

static struct memfile *memfile_find(const char *name)
{
    for (struct memfile *f = disk.files; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static void memfile_unlink(struct memfile *f)
{
    for (struct memfile **p = &disk.files; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    f->unlinked = 1;
    if (f->nref == 0)
        memfile_free(f);
}

/* Each change (or each xSync, when the cut is armed on syncs) counts down towards a power cut the
 * test armed. Returns 1 when the power is off: the change must fail and not be made. */
static int power_is_off(int is_sync)
{
    if (!disk.dead && disk.countdown > 0 && (is_sync || !disk.cut_at_sync) && --disk.countdown == 0) {
        disk.dead = 1;
        if (trace)
            fprintf(stderr, "  -- the power goes off here --\n");
    }
    return disk.dead;
}

static void pending_add(struct memfile *f, sqlite3_int64 off, const void *data, size_t len, int truncate)
{
    struct op *o = malloc(sizeof *o + len);
    assert_non_null(o);
    o->next = NULL;
    o->off = off;
    o->len = len;
    o->truncate = truncate;
    if (len)
        memcpy(o->data, data, len);
    *f->ops_tail = o;
    f->ops_tail = &o->next;
    f->nops++;
}

enum fate { LANDS, LOST, TORN };

/* Puts what of one unsynced change reached the disk into the file's durable image. */
static void op_settle(struct memfile *f, const struct op *o, enum fate fate)
{
    if (trace)
        fprintf(stderr, "  loss: %s %s %lld+%zu %s\n", f->name, o->truncate ? "truncate" : "write", (long long)o->off,
                o->len, fate == LANDS ? "lands" : fate == LOST ? "is lost" : "tears");
    if (o->truncate && fate == TORN)
        fate = rnd_below(2) ? LANDS : LOST; /* a length is set or not */
    if (fate == LOST) {
        disk.n.lost++;
        return;
    }
    if (fate == LANDS) {
        disk.n.landed++;
        if (o->truncate)
            image_truncate(&f->durable, o->off);
        else
            image_write(&f->durable, o->off, o->data, o->len);
        return;
    }
    /* Torn: each sector the write touches gets the new bytes, keeps the old, or fills with garbage:
     * within the bytes written on a disk with powersafe overwrite, the whole sector without it. */
    disk.n.torn++;
    sqlite3_int64 sz = disk.sector, end = o->off + (sqlite3_int64)o->len;
    for (sqlite3_int64 sec = o->off / sz; sec <= (end - 1) / sz; sec++) {
        sqlite3_int64 lo = sec * sz > o->off ? sec * sz : o->off;
        sqlite3_int64 hi = (sec + 1) * sz < end ? (sec + 1) * sz : end;
        uint64_t what = rnd_below(3);
        if (what == 0) {
            image_write(&f->durable, lo, o->data + (lo - o->off), (size_t)(hi - lo));
        } else if (what == 2) {
            if (!disk.psow)
                lo = sec * sz, hi = (sec + 1) * sz;
            unsigned char junk[MAX_SECTOR];
            for (sqlite3_int64 i = 0; i < hi - lo; i++)
                junk[i] = (unsigned char)rnd();
            image_write(&f->durable, lo, junk, (size_t)(hi - lo));
            disk.n.garbage++;
        }
    }
}

/* The power is lost: each file becomes its durable image plus what of its unsynced changes reached
 * the disk. Every handle must already be closed. Returns NULL, or what is wrong. */
static const char *disk_power_loss(void)
{
    disk.n.losses++;
    for (struct memfile *f = disk.files; f; f = f->next) {
        if (f->nref)
            return "a file handle is still open after the connection was dropped";
        /* Half the time each change fares on its own (a third each: lands, lost, torn, as in
         * test6.c); otherwise the disk wrote them in order and stopped: after all of them (half of
         * those times) or at a random one, which tears. */
        int in_order = (int)rnd_below(2);
        long stop = f->nops;
        if (in_order) {
            disk.n.in_order++;
            if (rnd_below(2))
                stop = (long)rnd_below((uint64_t)f->nops + 1);
        }
        long i = 0;
        for (struct op *o = f->ops; o; o = o->next, i++) {
            enum fate fate = !in_order ? (enum fate)rnd_below(3) : i < stop ? LANDS : i == stop ? TORN : LOST;
            op_settle(f, o, fate);
        }
        ops_free(f);
        shm_free(f); /* a reboot clears shared memory */
        image_copy(&f->current, &f->durable);
    }
    return NULL;
}

/* Throws every file away and sets the disk back to linli's (before each run of the loop). */
static void disk_wipe(void)
{
    while (disk.files) {
        struct memfile *f = disk.files;
        disk.files = f->next;
        memfile_free(f);
    }
    disk.dead = 0;
    disk.countdown = 0;
    disk.cut_at_sync = 0;
    disk.ignore_sync = 0;
    disk.uncommitted = 0;
    disk.sector = 4096;
    disk.psow = 1;
    memset(&disk.n, 0, sizeof disk.n);
}

/* ---- the VFS: an open file ---- */

struct vfile {
    sqlite3_file base;
    struct memfile *f;
    int delete_on_close;
};

static struct memfile *mf(sqlite3_file *file) { return ((struct vfile *)file)->f; }

static int vf_close(sqlite3_file *file)
{
    struct vfile *v = (struct vfile *)file;
    struct memfile *f = v->f;
    f->nref--;
    if (v->delete_on_close && !f->unlinked) {
        if (f->name) {
            memfile_unlink(f);
            return SQLITE_OK;
        }
        f->unlinked = 1;
    }
    if (f->unlinked && f->nref == 0)
        memfile_free(f);
    return SQLITE_OK;
}

static int vf_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
    struct image *im = &mf(file)->current;
    size_t have = (size_t)off < im->len ? im->len - (size_t)off : 0;
    if (have >= (size_t)amt) {
        memcpy(buf, im->buf + off, (size_t)amt);
        return SQLITE_OK;
    }
    if (have)
        memcpy(buf, im->buf + off, have);
    memset((char *)buf + have, 0, (size_t)amt - have);
    return SQLITE_IOERR_SHORT_READ;
}

static int vf_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
    if (power_is_off(0))
        return SQLITE_IOERR_WRITE;
    struct memfile *f = mf(file);
    if (trace)
        fprintf(stderr, "  write %s %lld+%d\n", f->name ? f->name : "(temp)", (long long)off, amt);
    disk.n.writes++;
    disk.n.uncommitted_writes += disk.uncommitted;
    pending_add(f, off, buf, (size_t)amt, 0);
    image_write(&f->current, off, buf, (size_t)amt);
    return SQLITE_OK;
}

static int vf_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    if (power_is_off(0))
        return SQLITE_IOERR_TRUNCATE;
    struct memfile *f = mf(file);
    if (trace)
        fprintf(stderr, "  truncate %s %lld\n", f->name ? f->name : "(temp)", (long long)size);
    disk.n.truncates++;
    pending_add(f, size, NULL, 0, 1);
    image_truncate(&f->current, size);
    return SQLITE_OK;
}

static int vf_sync(sqlite3_file *file, int flags)
{
    (void)flags; /* a full and a normal sync alike make everything durable */
    if (power_is_off(1))
        return SQLITE_IOERR_FSYNC;
    struct memfile *f = mf(file);
    if (trace)
        fprintf(stderr, "  sync %s\n", f->name ? f->name : "(temp)");
    disk.n.syncs++;
    if (f->name && strcmp(f->name, DB_PATH) == 0)
        disk.n.db_syncs++; /* in WAL mode, the database file is synced by checkpoints */
    if (disk.ignore_sync)
        return SQLITE_OK;
    for (struct op *o = f->ops; o; o = o->next) {
        if (o->truncate)
            image_truncate(&f->durable, o->off);
        else
            image_write(&f->durable, o->off, o->data, o->len);
    }
    ops_free(f);
    return SQLITE_OK;
}

static int vf_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    *size = (sqlite3_int64)mf(file)->current.len;
    return SQLITE_OK;
}

/* One connection at a time: file locks always succeed. */
static int vf_lock(sqlite3_file *file, int level)
{
    (void)file, (void)level;
    return SQLITE_OK;
}

static int vf_check_reserved_lock(sqlite3_file *file, int *out)
{
    (void)file;
    *out = 0;
    return SQLITE_OK;
}

static int vf_file_control(sqlite3_file *file, int op, void *arg)
{
    (void)file, (void)op, (void)arg;
    return SQLITE_NOTFOUND;
}

static int vf_sector_size(sqlite3_file *file)
{
    (void)file;
    return disk.sector;
}

/* No atomic writes, no safe append, no ordered writes: SQLite must assume the worst of this disk,
 * and the power loss does the worst. Powersafe overwrite as the run chooses (disk.psow). */
static int vf_device_characteristics(sqlite3_file *file)
{
    (void)file;
    return disk.psow ? SQLITE_IOCAP_POWERSAFE_OVERWRITE : 0;
}

static int vf_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    struct memfile *f = mf(file);
    *out = NULL;
    if (region >= f->nshm) {
        if (!extend)
            return SQLITE_OK;
        void **n = realloc(f->shm, sizeof(void *) * (size_t)(region + 1));
        if (!n)
            return SQLITE_IOERR_NOMEM;
        for (int i = f->nshm; i <= region; i++)
            n[i] = NULL;
        f->shm = n;
        f->nshm = region + 1;
    }
    if (!f->shm[region]) {
        if (!extend)
            return SQLITE_OK;
        f->shm[region] = calloc(1, (size_t)size);
        if (!f->shm[region])
            return SQLITE_IOERR_NOMEM;
    }
    if (region == 0)
        f->shm_refs++;
    *out = f->shm[region];
    return SQLITE_OK;
}

static int vf_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    (void)file, (void)offset, (void)n, (void)flags;
    return SQLITE_OK;
}

static void vf_shm_barrier(sqlite3_file *file)
{
    (void)file;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The last connection to let go of the shared memory drops it: the next one rebuilds it from the
 * WAL, as the first connection after a restart does. */
static int vf_shm_unmap(sqlite3_file *file, int delete_flag)
{
    (void)delete_flag;
    struct memfile *f = mf(file);
    if (f->shm_refs > 0 && --f->shm_refs == 0)
        shm_free(f);
    return SQLITE_OK;
}

static const sqlite3_io_methods vfile_methods = {
    .iVersion = 2, /* shared memory; no memory-mapped I/O */
    .xClose = vf_close,
    .xRead = vf_read,
    .xWrite = vf_write,
    .xTruncate = vf_truncate,
    .xSync = vf_sync,
    .xFileSize = vf_file_size,
    .xLock = vf_lock,
    .xUnlock = vf_lock,
    .xCheckReservedLock = vf_check_reserved_lock,
    .xFileControl = vf_file_control,
    .xSectorSize = vf_sector_size,
    .xDeviceCharacteristics = vf_device_characteristics,
    .xShmMap = vf_shm_map,
    .xShmLock = vf_shm_lock,
    .xShmBarrier = vf_shm_barrier,
    .xShmUnmap = vf_shm_unmap,
};

/* ---- the VFS itself ---- */

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    struct vfile *v = (struct vfile *)file;
    memset(v, 0, sizeof *v);
    struct memfile *f = name ? memfile_find(name) : NULL;
    if (!f) {
        if (!(flags & SQLITE_OPEN_CREATE) || disk.dead)
            return SQLITE_CANTOPEN;
        f = calloc(1, sizeof *f);
        if (!f)
            return SQLITE_NOMEM;
        f->ops_tail = &f->ops;
        if (name) {
            f->name = strdup(name);
            if (!f->name) {
                free(f);
                return SQLITE_NOMEM;
            }
            f->next = disk.files;
            disk.files = f;
        }
    }
    f->nref++;
    v->f = f;
    v->delete_on_close = (flags & SQLITE_OPEN_DELETEONCLOSE) != 0 || !name;
    v->base.pMethods = &vfile_methods;
    if (out_flags)
        *out_flags = flags;
    return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs, (void)sync_dir; /* durable at once: see the top of the file */
    if (power_is_off(0))
        return SQLITE_IOERR_DELETE;
    struct memfile *f = memfile_find(name);
    if (!f)
        return SQLITE_IOERR_DELETE_NOENT;
    if (trace)
        fprintf(stderr, "  delete %s\n", name);
    memfile_unlink(f);
    return SQLITE_OK;
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs, (void)flags;
    *out = memfile_find(name) != NULL;
    return SQLITE_OK;
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    size_t len = strlen(name);
    if (len >= (size_t)n)
        return SQLITE_CANTOPEN;
    memcpy(out, name, len + 1);
    return SQLITE_OK;
}

/* SQLite's own randomness (the WAL salts) comes from the seed too, so that a seed replays a run. */
static int vfs_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    for (int i = 0; i < n; i++)
        out[i] = (char)rnd();
    return n;
}

static void *vfs_dlopen(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return disk.real->xDlOpen(disk.real, name);
}

static void vfs_dlerror(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs;
    disk.real->xDlError(disk.real, n, msg);
}

static void (*vfs_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return disk.real->xDlSym(disk.real, h, sym);
}

static void vfs_dlclose(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    disk.real->xDlClose(disk.real, h);
}

static int vfs_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return disk.real->xSleep(disk.real, us);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *t)
{
    (void)vfs;
    return disk.real->xCurrentTime(disk.real, t);
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs, (void)n, (void)msg;
    return 0;
}

static int vfs_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *t)
{
    (void)vfs;
    if (disk.real->iVersion >= 2 && disk.real->xCurrentTimeInt64)
        return disk.real->xCurrentTimeInt64(disk.real, t);
    double d;
    int rc = disk.real->xCurrentTime(disk.real, &d);
    *t = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

static sqlite3_vfs powerloss_vfs = {
    .iVersion = 2,
    .szOsFile = sizeof(struct vfile),
    .mxPathname = 512,
    .zName = "powerloss",
    .xOpen = vfs_open,
    .xDelete = vfs_delete,
    .xAccess = vfs_access,
    .xFullPathname = vfs_full_pathname,
    .xDlOpen = vfs_dlopen,
    .xDlError = vfs_dlerror,
    .xDlSym = vfs_dlsym,
    .xDlClose = vfs_dlclose,
    .xRandomness = vfs_randomness,
    .xSleep = vfs_sleep,
    .xCurrentTime = vfs_current_time,
    .xGetLastError = vfs_get_last_error,
    .xCurrentTimeInt64 = vfs_current_time64,
};

/* ---- the writes that matter ---- */

#define DB_URL "sqlite:" DB_PATH
#define COMMUNITY 3

/* One transaction: donations posted to the ledger, and one audit row. */
struct tx {
    char tag[32];     /* the audit row's entity_id; ledger entry k's memo is "tag/k" */
    int nledger;      /* 0: an audit row alone; 1: a donation; more: a batch (an import) */
    int64_t fen;      /* each donation */
    int64_t cash_fen; /* of which in cash (1001); the rest went to the bank (1002) */
};

/* What must be present, in commit order. */
struct book {
    struct tx *v;
    int n, cap;
    long entries; /* ledger entries */
    int64_t fen;  /* the sum of the acknowledged donations */
};

static void book_push(struct book *b, const struct tx *t)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->v = realloc(b->v, sizeof *b->v * (size_t)b->cap);
        assert_non_null(b->v);
    }
    b->v[b->n++] = *t;
    b->entries += t->nledger;
    b->fen += t->nledger * t->fen;
}

static char msg[1024];

static const char *fail_with(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *fail_with(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return msg;
}

static const char sql_district[] = "INSERT INTO districts (id, name) VALUES ($1, $2)";
static const char sql_town[] = "INSERT INTO towns (id, district_id, name) VALUES ($1, $2, $3)";
static const char sql_community[] =
    "INSERT INTO communities (community_id, town_id, name, population, created_at) VALUES ($1, $2, $3, 0, $4)";

static const char *setup_community(store *s)
{
    arena *a = arena_new();
    const char *now = arena_i64(a, clock_now());
    store_rc rc = store_begin(s);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_district, 2, (const char *[]){"1", "顺德区"}, NULL);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_town, 3, (const char *[]){"2", "1", "龙江镇"}, NULL);
    if (rc == STORE_OK)
        rc = store_exec(s, a, sql_community, 4, (const char *[]){"3", "2", "断电社区", now}, NULL);
    if (rc == STORE_OK)
        rc = ledger_ensure(s, a, COMMUNITY);
    if (rc == STORE_OK)
        rc = store_commit(s);
    const char *err = NULL;
    if (rc != STORE_OK) {
        err = fail_with("setting up the community: %s", store_errmsg(s));
        store_rollback(s);
    }
    arena_free(a);
    return err;
}

/* A batch when batch is set; otherwise mostly single donations, some batches, some audit rows alone. */
static struct tx make_tx(int cycle, int i, int batch)
{
    struct tx t = {0};
    snprintf(t.tag, sizeof t.tag, "pl-%d-%d", cycle, i);
    uint64_t kind = rnd_below(20);
    t.nledger = batch || kind < 3 ? 2 + (int)rnd_below(39) : kind < 14 ? 1 : 0;
    t.fen = 2 + (int64_t)rnd_below(500000);
    t.cash_fen = rnd_below(2) ? t.fen : 1 + (int64_t)rnd_below((uint64_t)t.fen - 1);
    return t;
}

enum outcome {
    TX_COMMITTED,     /* COMMIT answered OK: acknowledged */
    TX_NOT_COMMITTED, /* failed before COMMIT: must be absent */
    TX_IN_DOUBT,      /* COMMIT was sent and failed: present wholly or not at all */
    TX_OPEN,          /* left open on purpose when the power goes: must be absent */
};

/* One write as a handler makes it: BEGIN IMMEDIATE, the ledger entries, the audit row, COMMIT. */
static enum outcome write_tx(store *s, const struct tx *t, int leave_open)
{
    arena *a = arena_new();
    disk.uncommitted = leave_open;
    store_rc rc = store_begin(s);
    for (int k = 0; rc == STORE_OK && k < t->nledger; k++) {
        struct entry_in e = {.kind = "donation", .memo = arena_printf(a, "%s/%d", t->tag, k), .donor = "匿名",
                             .method = "cash", .created_by = "powerloss"};
        e.p[e.n++] = (struct posting){"1001", t->cash_fen, ""};
        if (t->cash_fen < t->fen)
            e.p[e.n++] = (struct posting){"1002", t->fen - t->cash_fen, ""};
        e.p[e.n++] = (struct posting){"4101", -t->fen, ""};
        int64_t seq;
        rc = ledger_post(s, a, COMMUNITY, &e, &seq);
    }
    if (rc == STORE_OK) {
        json_t *after = json_pack("{s:s, s:i, s:I}", "tag", t->tag, "entries", t->nledger, "fen", (json_int_t)t->fen);
        rc = audit_append(s, a, COMMUNITY, 0, "powerloss", t->nledger ? "fund.donate" : "note", "powerloss", t->tag,
                          NULL, after);
        json_decref(after);
    }
    enum outcome out;
    if (rc != STORE_OK)
        out = TX_NOT_COMMITTED;
    else if (leave_open)
        out = TX_OPEN;
    else
        out = store_commit(s) == STORE_OK ? TX_COMMITTED : TX_IN_DOUBT;
    if (trace)
        fprintf(stderr, "transaction %s (%d entries): %s\n", t->tag, t->nledger,
                (const char *[]){"committed", "not committed", "in doubt", "left open"}[out]);
    if (out == TX_NOT_COMMITTED || out == TX_IN_DOUBT)
        store_rollback(s); /* as a handler does; with the power off it changes nothing */
    disk.uncommitted = 0;
    arena_free(a);
    return out;
}

/* ---- the checks after a reopen ---- */

static const char sql_integrity[] = "PRAGMA integrity_check";
static const char sql_fk_check[] = "PRAGMA foreign_key_check";
static const char sql_community_exists[] = "SELECT count(*) FROM communities WHERE community_id = $1";
static const char sql_entry_tags[] = "SELECT memo FROM fund_entries WHERE community_id = $1 ORDER BY seq";
static const char sql_audit_tags[] = "SELECT entity_id FROM audit_log WHERE community_id = $1 ORDER BY seq";
static const char sql_unbalanced[] =
    "SELECT count(*) FROM (SELECT entry_seq FROM fund_postings WHERE community_id = $1 GROUP BY entry_seq "
    "HAVING sum(amount_fen) <> 0 OR count(*) < 2) AS u";
static const char sql_orphans[] =
    "SELECT count(*) FROM fund_postings p WHERE p.community_id = $1 AND NOT EXISTS "
    "(SELECT 1 FROM fund_entries e WHERE e.community_id = p.community_id AND e.seq = p.entry_seq)";
static const char sql_sum[] = "SELECT COALESCE(sum(amount_fen), 0) FROM fund_postings WHERE community_id = $1";

/* The ledger memos (ledger) or audit entity ids of n transactions, in order. */
static char **tags_of(arena *a, const struct tx *v, int n, int ledger, int *count)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += ledger ? v[i].nledger : 1;
    char **out = arena_alloc(a, sizeof(char *) * (size_t)(total ? total : 1));
    assert_non_null(out);
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (!ledger)
            out[j++] = arena_strdup(a, v[i].tag);
        for (int k = 0; ledger && k < v[i].nledger; k++)
            out[j++] = arena_printf(a, "%s/%d", v[i].tag, k);
    }
    *count = total;
    return out;
}

/* The tags found (rows, in seq order) must be the acknowledged ones (want), then either all of the
 * in-doubt write's (extra) or none of them, and nothing else. *extra_found says which. */
static const char *compare_tags(const char *what, const store_rows *rows, char **want, int nwant, char **extra,
                                int nextra, int *extra_found)
{
    *extra_found = 0;
    int j = 0;
    for (; j < nwant; j++) {
        if (j >= rows->nrows)
            return fail_with("%s: the acknowledged write %s is missing (%d acknowledged rows are)", what, want[j],
                             nwant - j);
        if (strcmp(store_cell(rows, j, 0), want[j]) != 0)
            return fail_with("%s: found %s where the acknowledged write %s should be", what, store_cell(rows, j, 0),
                             want[j]);
    }
    int k = 0;
    while (k < nextra && j + k < rows->nrows && strcmp(store_cell(rows, j + k, 0), extra[k]) == 0)
        k++;
    if (k > 0 && k < nextra)
        return fail_with("%s: the write %s, cut off in its COMMIT, is half-present (%d of %d rows)", what, extra[0], k,
                         nextra);
    *extra_found = k > 0;
    j += k;
    if (j < rows->nrows)
        return fail_with("%s: %s is present but was never acknowledged", what, store_cell(rows, j, 0));
    return NULL;
}

struct tally {
    long doubt_kept, doubt_gone;
};

/* Everything that must hold after a reopen. A write in doubt that survived joins the book. */
static const char *check_store(store *s, struct book *b, const struct tx *doubt, struct tally *tl)
{
    arena *a = arena_new();
    const char *cid = arena_i64(a, COMMUNITY);
    const char *err = NULL;
    store_rows *rows = NULL;
    int64_t v = 0;
    int found = 0;
    if (store_exec(s, a, sql_integrity, 0, NULL, &rows) != STORE_OK)
        err = fail_with("integrity_check failed to run: %s", store_errmsg(s));
    else if (rows->nrows != 1 || !store_cell(rows, 0, 0) || strcmp(store_cell(rows, 0, 0), "ok") != 0)
        err = fail_with("integrity_check: %s", rows->nrows ? store_cell(rows, 0, 0) : "(no answer)");
    if (!err && store_exec(s, a, sql_fk_check, 0, NULL, &rows) != STORE_OK)
        err = fail_with("foreign_key_check failed to run: %s", store_errmsg(s));
    else if (!err && rows->nrows)
        err = fail_with("foreign_key_check: a row of %s lacks its parent", store_cell(rows, 0, 0));
    if (!err && (store_query_i64(s, a, sql_community_exists, 1, &cid, &v, &found) != STORE_OK || v != 1))
        err = fail_with("the community set up before the first loss is gone");

    /* Exactly the acknowledged writes, in order, and the one in doubt wholly or not at all. */
    store_rows *entries = NULL, *audits = NULL;
    if (!err && (store_exec(s, a, sql_entry_tags, 1, &cid, &entries) != STORE_OK ||
                 store_exec(s, a, sql_audit_tags, 1, &cid, &audits) != STORE_OK))
        err = fail_with("reading the ledger and the audit log: %s", store_errmsg(s));
    int nwant, nextra, in_ledger = 0, in_audit = 0;
    if (!err) {
        char **want = tags_of(a, b->v, b->n, 1, &nwant), **extra = tags_of(a, doubt, doubt ? 1 : 0, 1, &nextra);
        err = compare_tags("ledger", entries, want, nwant, extra, nextra, &in_ledger);
    }
    if (!err) {
        char **want = tags_of(a, b->v, b->n, 0, &nwant), **extra = tags_of(a, doubt, doubt ? 1 : 0, 0, &nextra);
        err = compare_tags("audit log", audits, want, nwant, extra, nextra, &in_audit);
    }
    if (!err && doubt && doubt->nledger && in_ledger != in_audit)
        err = fail_with("the write %s, cut off in its COMMIT, is half-present (%s in the ledger, %s in the audit log)",
                        doubt->tag, in_ledger ? "present" : "absent", in_audit ? "present" : "absent");
    if (!err && doubt) {
        if (in_audit) {
            book_push(b, doubt);
            tl->doubt_kept++;
        } else {
            tl->doubt_gone++;
        }
    }

    /* The money adds up. */
    if (!err && (store_query_i64(s, a, sql_unbalanced, 1, &cid, &v, &found) != STORE_OK || v != 0))
        err = fail_with("%" PRId64 " ledger entries do not balance", v);
    if (!err && (store_query_i64(s, a, sql_orphans, 1, &cid, &v, &found) != STORE_OK || v != 0))
        err = fail_with("%" PRId64 " postings have no entry (a half-written entry)", v);
    if (!err && (store_query_i64(s, a, sql_sum, 1, &cid, &v, &found) != STORE_OK || v != 0))
        err = fail_with("debits and credits differ by %" PRId64 " fen", v);
    int64_t money = -1;
    if (!err && (ledger_balance(s, a, COMMUNITY, "100", NULL, &money) != STORE_OK || money != b->fen))
        err = fail_with("cash and bank hold %" PRId64 " fen; the acknowledged donations sum to %" PRId64, money, b->fen);

    /* Both chains hold. */
    char bad[256];
    long n = 0;
    if (!err && ledger_verify(s, COMMUNITY, &n, bad, sizeof bad) != 0)
        err = fail_with("ledger_verify: %s", bad);
    if (!err && n != b->entries)
        err = fail_with("ledger_verify read %ld entries, expected %ld", n, b->entries);
    if (!err && audit_verify(s, &n, bad, sizeof bad) != 0)
        err = fail_with("audit_verify: %s", bad);
    if (!err && n != b->n)
        err = fail_with("audit_verify read %ld rows, expected %d", n, b->n);
    arena_free(a);
    return err;
}

/* ---- the loop ---- */

enum mode {
    SYNC_FULL,   /* linli as it is */
    SYNC_NORMAL, /* commits not synced: must be caught */
    LYING_DISK,  /* xSync does nothing: must be caught */
};

struct run {
    enum mode mode;
    int cycles;
    int no_psow; /* 512-byte sectors, no powersafe overwrite */
    /* results */
    int failed; /* 0: every check held */
    char failure[1200];
    long acknowledged, entries, cut_between, cut_open, cut_statement, cut_after_commit;
    struct tally tl;
};

/* Test-only settings that take more paths through SQLite: checkpoints every few pages, and a page
 * cache so small that big transactions spill to the WAL before they commit. */
static const char *const variations[] = {
    "PRAGMA wal_autocheckpoint=4",
    "PRAGMA wal_autocheckpoint=64",
    "PRAGMA cache_size=8",
};

static const char *open_store(store **s, enum mode mode, int *applied)
{
    char err[256];
    *s = NULL;
    if (store_open(DB_URL, s, err, sizeof err) != STORE_OK)
        return fail_with("reopening: %s", err);
    if (mode == SYNC_NORMAL && store_exec_script(*s, "PRAGMA synchronous=NORMAL") != STORE_OK)
        return fail_with("PRAGMA synchronous: %s", store_errmsg(*s));
    if (migrate_apply(*s, applied, err, sizeof err) != 0)
        return fail_with("the migrations on reopening: %s", err);
    return NULL;
}

static void run_cycles(struct run *r)
{
    struct book b = {0};
    struct tx doubt;
    int has_doubt = 0;
    disk_wipe();
    disk.ignore_sync = r->mode == LYING_DISK;
    if (r->no_psow)
        disk.sector = 512, disk.psow = 0;
    for (int cycle = 0; cycle <= r->cycles; cycle++) {
        if (trace)
            fprintf(stderr, "cycle %d: reopening\n", cycle);
        store *s = NULL;
        int applied = 0;
        const char *err = open_store(&s, r->mode, &applied);
        if (!err && cycle == 0)
            err = setup_community(s);
        else if (!err && applied)
            err = fail_with("the schema was lost: %d migrations ran again", applied);
        else if (!err)
            err = check_store(s, &b, has_doubt ? &doubt : NULL, &r->tl);
        has_doubt = 0;
        if (err) {
            r->failed = 1;
            snprintf(r->failure, sizeof r->failure, "after power loss %d of %d: %s", cycle, r->cycles, err);
        }
        if (err || cycle == r->cycles) {
            store_close(s); /* after the last check, a clean close */
            break;
        }

        for (int i = 0; i < 2; i++)
            if (rnd_below(2))
                assert_int_equal(store_exec_script(s, variations[i == 0 ? rnd_below(2) : 2]), STORE_OK);
        /* The writes, then the cut. How it comes: 0, between two transactions; 1, in the middle of
         * an open one; 2, at a random change to a file; 3, at a random xSync. With 2 and 3 it comes
         * after the writes if they make fewer changes. */
        int nw = 1 + (int)rnd_below(12);
        uint64_t how = rnd_below(4);
        if (how == 2)
            disk.countdown = 1 + (long)rnd_below(40 * (uint64_t)nw);
        if (how == 3)
            disk.cut_at_sync = 1, disk.countdown = 1 + (long)rnd_below((uint64_t)nw + 2);
        for (int i = 0; i < nw && !disk.dead && !r->failed; i++) {
            int leave_open = how == 1 && i == nw - 1;
            struct tx t = make_tx(cycle, i, leave_open);
            enum outcome out = write_tx(s, &t, leave_open);
            if ((out == TX_NOT_COMMITTED || out == TX_IN_DOUBT) && !disk.dead) {
                r->failed = 1;
                snprintf(r->failure, sizeof r->failure, "cycle %d: the write %s failed with the power on: %s", cycle,
                         t.tag, store_errmsg(s));
            } else if (out == TX_COMMITTED) {
                book_push(&b, &t);
                r->acknowledged++;
                r->entries += t.nledger;
                if (disk.dead)
                    r->cut_after_commit++; /* in the checkpoint that runs after a durable COMMIT */
            } else if (out == TX_OPEN) {
                r->cut_open++;
            } else if (out == TX_NOT_COMMITTED) {
                r->cut_statement++; /* in a page-cache spill before COMMIT */
            } else {
                doubt = t;
                has_doubt = 1;
            }
        }
        if (!disk.dead && how != 1)
            r->cut_between++;
        disk.countdown = 0;
        disk.cut_at_sync = 0;
        /* The power goes off: nothing more reaches the disk, the connection is dropped. */
        disk.dead = 1;
        if (trace)
            fprintf(stderr, "cycle %d: power off\n", cycle);
        store_close(s);
        err = disk_power_loss();
        disk.dead = 0;
        if (err && !r->failed) {
            r->failed = 1;
            snprintf(r->failure, sizeof r->failure, "power loss %d: %s", cycle + 1, err);
        }
        if (r->failed)
            break;
    }
    free(b.v);
}

static uint64_t seed;

static int setup(void **state)
{
    (void)state;
    trace = getenv("LINLI_POWERLOSS_TRACE") != NULL;
    const char *env = getenv("LINLI_POWERLOSS_SEED");
    seed = env && *env ? strtoull(env, NULL, 0) : 20261130;
    printf("powerloss: seed %" PRIu64 " (LINLI_POWERLOSS_SEED replays another)\n", seed);
    disk.real = sqlite3_vfs_find(NULL);
    if (!disk.real)
        return -1;
    return sqlite3_vfs_register(&powerloss_vfs, 1) == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    disk_wipe();
    sqlite3_vfs_unregister(&powerloss_vfs);
    return 0;
}

/* 100 power losses with linli's settings: nothing acknowledged is lost, nothing else half-kept. */
static void test_power_loss(void **state)
{
    (void)state;
    rng_state = seed;
    const char *harsh = getenv("LINLI_POWERLOSS_NO_PSOW");
    struct run r = {.mode = SYNC_FULL, .cycles = 100, .no_psow = harsh && *harsh && strcmp(harsh, "0") != 0};
    run_cycles(&r);
    printf("powerloss: %d-byte sectors, %s; %ld losses; %ld writes acknowledged (%ld ledger entries, %ld audit rows), "
           "every one present after each loss\n",
           disk.sector, disk.psow ? "powersafe overwrite" : "no powersafe overwrite", disk.n.losses, r.acknowledged,
           r.entries, r.acknowledged);
    printf("powerloss: cut between transactions %ld, in an open transaction %ld (%ld of its writes had reached the WAL), "
           "in a spill %ld, in COMMIT %ld (kept whole %ld, gone whole %ld), in the checkpoint after a COMMIT %ld\n",
           r.cut_between, r.cut_open, disk.n.uncommitted_writes, r.cut_statement, r.tl.doubt_kept + r.tl.doubt_gone,
           r.tl.doubt_kept, r.tl.doubt_gone, r.cut_after_commit);
    printf("powerloss: %ld writes, %ld syncs (%ld of the database file, by checkpoints); unsynced at the losses: "
           "%ld landed, %ld lost, %ld torn (%ld pieces of garbage); written in order %ld times (one file at one loss), "
           "scattered otherwise\n",
           disk.n.writes, disk.n.syncs, disk.n.db_syncs, disk.n.landed, disk.n.lost, disk.n.torn, disk.n.garbage,
           disk.n.in_order);
    if (r.failed)
        fail_msg("seed %" PRIu64 ", %s", seed, r.failure);
    assert_int_equal(disk.n.losses, 100);
    /* The run tested something: losses that mangled data, and cuts of every kind. */
    assert_true(disk.n.lost > 0 && disk.n.torn > 0 && disk.n.garbage > 0 && disk.n.db_syncs > 0);
    assert_true(r.cut_between > 0 && r.cut_open > 0 && disk.n.uncommitted_writes > 0 && r.cut_statement > 0);
    assert_true(r.tl.doubt_kept > 0 && r.tl.doubt_gone > 0 && r.cut_after_commit > 0);
}

/* The same loop with commits that are not synced (synchronous=NORMAL) must find a lost
 * acknowledged write: the checks catch a missing sync. */
static void test_unsynced_commit_is_caught(void **state)
{
    (void)state;
    rng_state = seed ^ 0x5eed;
    struct run r = {.mode = SYNC_NORMAL, .cycles = 20};
    run_cycles(&r);
    if (!r.failed)
        fail_msg("seed %" PRIu64 ": 20 losses with synchronous=NORMAL and nothing found missing", seed);
    printf("powerloss: with synchronous=NORMAL, caught %s\n", r.failure);
}

/* And on a disk whose xSync does nothing. */
static void test_lying_disk_is_caught(void **state)
{
    (void)state;
    rng_state = seed ^ 0x1ed;
    struct run r = {.mode = LYING_DISK, .cycles = 20};
    run_cycles(&r);
    if (!r.failed)
        fail_msg("seed %" PRIu64 ": 20 losses on a disk that ignores xSync and nothing found missing", seed);
    printf("powerloss: on a disk that ignores xSync, caught %s\n", r.failure);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_loss),
        cmocka_unit_test(test_unsynced_commit_is_caught),
        cmocka_unit_test(test_lying_disk_is_caught),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
