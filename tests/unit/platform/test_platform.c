/* pt_platform: UTF-8 paths, positional reads, stat, directory listing and
 * the host name, on POSIX and (cross-built, under wine) on Windows.
 * Works in a scratch directory under $PT_BUILD_DIR (or the current one). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "pt_platform.h"
#include "pt_test.h"

/* "메모리 누수" (memory leak): a name outside any single-byte code page. */
#define KOREAN_NAME "\xEB\xA9\x94\xEB\xAA\xA8\xEB\xA6\xAC \xEB\x88\x84\xEC\x88\x98.txt"

static char scratch[4096];

/* dir + separator + name; a path that does not fit fails the test. */
static void join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s%c%s", dir, PT_PATH_SEP, name);
    PT_CHECK(n > 0 && (size_t)n < cap);
}

static int make_dir(const char *path)
{
    return pt_platform_mkdir(path) == 0 || errno == EEXIST;
}

/* Writes n bytes with value (i * 7) & 0xFF at offset i. */
static int write_pattern(const char *path, size_t n)
{
    unsigned char buf[4096];
    size_t i, done = 0;
    int fd = pt_platform_open_write(path);
    if (fd < 0)
        return -1;
    while (done < n) {
        size_t k = n - done < sizeof buf ? n - done : sizeof buf;
        for (i = 0; i < k; i++)
            buf[i] = (unsigned char)(((done + i) * 7) & 0xFF);
        if (write(fd, buf, (unsigned)k) != (int)k) {
            close(fd);
            return -1;
        }
        done += k;
    }
    return close(fd);
}

static void setup(void)
{
    const char *base = getenv("PT_BUILD_DIR");
    char tmp[4096];
    join(tmp, sizeof tmp, base != NULL ? base : ".", "platform-scratch");
    PT_CHECK(make_dir(tmp));
    join(scratch, sizeof scratch, tmp, "\xED\x8F\xB4\xEB\x8D\x94"); /* "폴더" (folder) */
    PT_CHECK(make_dir(scratch));
}

static void test_utf8_file_and_pread(void)
{
    char path[4200];
    unsigned char buf[16];
    pt_file_info info;
    pt_error err;
    int fd, i;

    join(path, sizeof path, scratch, KOREAN_NAME);
    PT_CHECK(write_pattern(path, 70000) == 0);
    PT_CHECK(pt_platform_stat(path, &info, &err) == PT_OK);
    PT_CHECK_U64(info.size, 70000);
    PT_CHECK(info.is_regular);
    PT_CHECK(!info.is_directory);
    PT_CHECK(info.modified > 0);

    fd = pt_platform_open_read(path);
    PT_CHECK(fd >= 0);
    if (fd < 0)
        return;
    /* A read across the 64 KiB mark, and one at the very end. */
    PT_CHECK(pt_platform_pread(fd, buf, sizeof buf, 65530) == (int64_t)sizeof buf);
    for (i = 0; i < (int)sizeof buf; i++)
        PT_CHECK_U64(buf[i], ((65530u + (unsigned)i) * 7u) & 0xFFu);
    PT_CHECK(pt_platform_pread(fd, buf, sizeof buf, 69996) == 4);
    PT_CHECK_U64(buf[3], (69999u * 7u) & 0xFFu);
    /* At and past the end: 0 bytes, not an error. */
    PT_CHECK(pt_platform_pread(fd, buf, sizeof buf, 70000) == 0);
    PT_CHECK(pt_platform_pread(fd, buf, sizeof buf, 1ull << 40) == 0);
    close(fd);
}

/* Offsets past 4 GiB (a dump is often bigger): a sparse file with a marker
 * at 5 GiB.  Only when PT_TEST_BIG_FILES=1 (build-windows.sh sets it under
 * wine), as a file system without sparse files would write 5 GiB. */
static void test_big_offsets(void)
{
    const uint64_t at = 5ull << 30;
    const char *big = getenv("PT_TEST_BIG_FILES");
    unsigned char marker[4] = {'P', 'T', 0x5A, 0xA5}, got[8];
    char path[4200];
    pt_file_info info;
    pt_error err;
    int fd;

    if (big == NULL || strcmp(big, "1") != 0)
        return;
    join(path, sizeof path, scratch, "big.bin");
    fd = pt_platform_open_write(path);
    PT_CHECK(fd >= 0);
    if (fd < 0)
        return;
#ifdef _WIN32
    PT_CHECK(_lseeki64(fd, (__int64)at, SEEK_SET) == (__int64)at);
#else
    PT_CHECK(lseek(fd, (off_t)at, SEEK_SET) == (off_t)at);
#endif
    PT_CHECK(write(fd, marker, 4) == 4);
    PT_CHECK(close(fd) == 0);
    PT_CHECK(pt_platform_stat(path, &info, &err) == PT_OK);
    PT_CHECK_U64(info.size, at + 4);
    fd = pt_platform_open_read(path);
    PT_CHECK(fd >= 0);
    if (fd < 0)
        return;
    PT_CHECK(pt_platform_pread(fd, got, sizeof got, at - 4) == 8);
    PT_CHECK(memcmp(got, "\0\0\0\0", 4) == 0);
    PT_CHECK(memcmp(got + 4, marker, 4) == 0);
    close(fd);
    PT_CHECK(pt_platform_remove(path) == 0);
    PT_CHECK(pt_platform_stat(path, &info, &err) == PT_ERR_IO);
    PT_CHECK(pt_platform_remove(path) == -1 && errno == ENOENT);
}

static void test_stat_errors(void)
{
    char path[4200];
    pt_file_info info;
    pt_error err;

    join(path, sizeof path, scratch, "no-such-file");
    pt_error_clear(&err);
    PT_CHECK(pt_platform_stat(path, &info, &err) == PT_ERR_IO);
    PT_CHECK(strstr(err.message, "no-such-file") != NULL);
    PT_CHECK(pt_platform_open_read(path) < 0);
    PT_CHECK(pt_platform_stat(scratch, &info, &err) == PT_OK);
    PT_CHECK(info.is_directory);
    PT_CHECK(!info.is_regular);
}

static void test_directory_listing(void)
{
    char path[4200];
    pt_dir *dir = NULL;
    pt_error err;
    const char *name;
    int is_dir, seen_file = 0, seen_sub = 0, seen_dots = 0, others = 0, guard = 0;

    join(path, sizeof path, scratch, "sub");
    PT_CHECK(make_dir(path));
    join(path, sizeof path, scratch, KOREAN_NAME);
    PT_CHECK(write_pattern(path, 10) == 0);
    PT_CHECK(pt_dir_open(scratch, &dir, &err) == PT_OK);
    if (dir == NULL)
        return;
    while (guard++ < 100 && pt_dir_next(dir, &name, &is_dir, &err) == PT_OK && name != NULL) {
        if (strcmp(name, KOREAN_NAME) == 0)
            seen_file += !is_dir;
        else if (strcmp(name, "sub") == 0)
            seen_sub += is_dir;
        else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            seen_dots++;
        else
            others++;
    }
    pt_dir_close(dir);
    PT_CHECK_U64(seen_file, 1);
    PT_CHECK_U64(seen_sub, 1);
    PT_CHECK_U64(seen_dots, 0);
    PT_CHECK_U64(others, 0);

    join(path, sizeof path, scratch, "no-such-dir");
    PT_CHECK(pt_dir_open(path, &dir, &err) == PT_ERR_IO);
    PT_CHECK(dir == NULL);
    PT_CHECK(strstr(err.message, "no-such-dir") != NULL);
}

static void test_same_file(void)
{
    char a[4200], b[4200], up[4200], sub[4200], other[4200];
    pt_error err;
    int same = -1;

    join(a, sizeof a, scratch, KOREAN_NAME);
    PT_CHECK(write_pattern(a, 10) == 0);
    /* The same file by another path: through "sub" and "..". */
    join(sub, sizeof sub, scratch, "sub");
    PT_CHECK(make_dir(sub));
    join(up, sizeof up, sub, "..");
    join(b, sizeof b, up, KOREAN_NAME);
    PT_CHECK(pt_platform_same_file(a, b, &same, &err) == PT_OK);
    PT_CHECK_U64(same, 1);
    /* A different file with the same size, on the same volume (in "sub",
     * so that the listing test sees only its own entries). */
    join(other, sizeof other, sub, "other.bin");
    PT_CHECK(write_pattern(other, 10) == 0);
    PT_CHECK(pt_platform_same_file(a, other, &same, &err) == PT_OK);
    PT_CHECK_U64(same, 0);
    /* One that does not exist. */
    join(other, sizeof other, sub, "missing.bundle");
    PT_CHECK(pt_platform_same_file(a, other, &same, &err) == PT_OK);
    PT_CHECK_U64(same, 0);
}

static void test_hostname(void)
{
    char name[256], small[4];
    pt_error err;
    PT_CHECK(pt_platform_hostname(name, sizeof name, &err) == PT_OK);
    PT_CHECK(name[0] != '\0');
    PT_CHECK(pt_platform_hostname(small, sizeof small, &err) == PT_OK);
    PT_CHECK(strlen(small) <= 3);
    PT_CHECK(pt_platform_hostname(small, 0, &err) == PT_ERR_USAGE);
}

static void test_utf8_args(void)
{
    char *fake[] = {"prog", "x", NULL};
    char **argv = fake;
    int argc = 2;
    pt_error err;
    PT_CHECK(pt_platform_utf8_args(&argc, &argv, &err) == PT_OK);
    PT_CHECK(argc >= 1);
    PT_CHECK(argv != NULL && argv[0] != NULL);
#ifndef _WIN32
    PT_CHECK(argv == fake);
    PT_CHECK_U64(argc, 2);
#endif
}

static void run_setup(void)
{
    setup();
}

PT_TEST_MAIN(PT_TEST(run_setup), PT_TEST(test_utf8_file_and_pread), PT_TEST(test_big_offsets),
             PT_TEST(test_stat_errors),
             PT_TEST(test_directory_listing), PT_TEST(test_same_file), PT_TEST(test_hostname), PT_TEST(test_utf8_args))
