/* pt_platform.c - POSIX and Windows implementations of pt_platform.h. */
#include "pt_platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>
#include <shellapi.h>
#else
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#ifdef _WIN32

/* UTF-8 to a newly allocated UTF-16 string; NULL (errno set) when the text
 * is not valid UTF-8 or memory runs out. */
static wchar_t *utf8_to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;
    if (n <= 0) {
        errno = EILSEQ;
        return NULL;
    }
    w = malloc((size_t)n * sizeof *w);
    if (w == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        errno = EILSEQ;
        return NULL;
    }
    return w;
}

/* UTF-16 to a newly allocated UTF-8 string, or NULL. */
static char *wide_to_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (s == NULL)
        return NULL;
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        return NULL;
    }
    return s;
}

static int open_wide(const char *path, int flags, int mode)
{
    wchar_t *w = utf8_to_wide(path);
    int fd;
    if (w == NULL)
        return -1;
    fd = _wopen(w, flags | _O_BINARY | _O_NOINHERIT, mode);
    free(w);
    return fd;
}

int pt_platform_open_read(const char *path)
{
    return open_wide(path, _O_RDONLY, 0);
}

int pt_platform_open_write(const char *path)
{
    return open_wide(path, _O_WRONLY | _O_CREAT | _O_TRUNC, _S_IREAD | _S_IWRITE);
}

int pt_platform_remove(const char *path)
{
    wchar_t *w = utf8_to_wide(path);
    BOOL ok;
    DWORD e;
    if (w == NULL)
        return -1;
    ok = DeleteFileW(w);
    e = GetLastError();
    free(w);
    if (ok)
        return 0;
    errno = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? ENOENT
            : e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION ? EACCES
                                                                       : EIO;
    return -1;
}

int pt_platform_mkdir(const char *path)
{
    wchar_t *w = utf8_to_wide(path);
    BOOL ok;
    DWORD e;
    if (w == NULL)
        return -1;
    ok = CreateDirectoryW(w, NULL);
    e = GetLastError();
    free(w);
    if (ok)
        return 0;
    errno = e == ERROR_ALREADY_EXISTS ? EEXIST : e == ERROR_PATH_NOT_FOUND ? ENOENT : EIO;
    return -1;
}

int64_t pt_platform_pread(int fd, void *buf, size_t len, uint64_t off)
{
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    OVERLAPPED ov;
    DWORD got = 0;
    DWORD want = len > 0x40000000u ? 0x40000000u : (DWORD)len;

    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return -1;
    }
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)(off >> 32);
    if (!ReadFile(h, buf, want, &got, &ov)) {
        /* A synchronous handle reports a read at or past the end this way. */
        if (GetLastError() == ERROR_HANDLE_EOF)
            return 0;
        errno = EIO;
        return -1;
    }
    return (int64_t)got;
}

/* FILETIME is already our unit (100 ns since 1601). */
static pt_filetime from_win_filetime(FILETIME ft)
{
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

pt_status pt_platform_stat(const char *path, pt_file_info *info, pt_error *err)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    wchar_t *w = utf8_to_wide(path);
    BOOL ok;

    memset(info, 0, sizeof *info);
    if (w == NULL)
        return pt_error_set(err, errno == ENOMEM ? PT_ERR_NOMEM : PT_ERR_IO, path, PT_NO_OFFSET,
                            "the name is not valid UTF-8");
    ok = GetFileAttributesExW(w, GetFileExInfoStandard, &data);
    free(w);
    if (!ok)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot stat (Windows error %lu)",
                            (unsigned long)GetLastError());
    info->size = ((uint64_t)data.nFileSizeHigh << 32) | data.nFileSizeLow;
    info->is_directory = (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    info->is_regular = !info->is_directory && (data.dwFileAttributes & FILE_ATTRIBUTE_DEVICE) == 0;
    info->modified = from_win_filetime(data.ftLastWriteTime);
    return PT_OK;
}

/* The volume serial number and file index of path; 0 when it does not exist. */
static int file_identity(const char *path, BY_HANDLE_FILE_INFORMATION *id)
{
    wchar_t *w = utf8_to_wide(path);
    HANDLE h;
    BOOL ok;
    if (w == NULL)
        return 0;
    /* No access rights needed to read the identity; directories need
     * FILE_FLAG_BACKUP_SEMANTICS to open at all. */
    h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    ok = GetFileInformationByHandle(h, id);
    CloseHandle(h);
    return ok != 0;
}

pt_status pt_platform_same_file(const char *a, const char *b, int *same, pt_error *err)
{
    BY_HANDLE_FILE_INFORMATION ia, ib;
    (void)err;
    *same = file_identity(a, &ia) && file_identity(b, &ib) &&
            ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
            ia.nFileIndexHigh == ib.nFileIndexHigh && ia.nFileIndexLow == ib.nFileIndexLow;
    return PT_OK;
}

pt_status pt_platform_hostname(char *buf, size_t cap, pt_error *err)
{
    wchar_t name[256];
    DWORD n = (DWORD)(sizeof name / sizeof name[0]);
    char *utf8;
    size_t len;

    if (cap == 0)
        return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET, "no room for the host name");
    if (!GetComputerNameExW(ComputerNameDnsHostname, name, &n) &&
        !GetComputerNameW(name, &n))
        return pt_error_set(err, PT_ERR_IO, NULL, PT_NO_OFFSET,
                            "cannot get the computer name (Windows error %lu)",
                            (unsigned long)GetLastError());
    utf8 = wide_to_utf8(name);
    if (utf8 == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    len = strlen(utf8);
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, utf8, len);
    buf[len] = '\0';
    free(utf8);
    return PT_OK;
}

pt_status pt_platform_utf8_args(int *argc, char ***argv, pt_error *err)
{
    int n = 0, i;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &n);
    char **out;

    if (wargv == NULL || n < 0)
        return pt_error_set(err, PT_ERR_IO, NULL, PT_NO_OFFSET,
                            "cannot read the command line (Windows error %lu)",
                            (unsigned long)GetLastError());
    /* Kept until exit, like the argv the C runtime gives main. */
    out = calloc((size_t)n + 1, sizeof *out);
    if (out == NULL) {
        LocalFree(wargv);
        return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
    }
    for (i = 0; i < n; i++) {
        out[i] = wide_to_utf8(wargv[i]);
        if (out[i] == NULL) {
            while (i-- > 0)
                free(out[i]);
            free(out);
            LocalFree(wargv);
            return pt_error_set(err, PT_ERR_NOMEM, NULL, PT_NO_OFFSET, "out of memory");
        }
    }
    LocalFree(wargv);
    *argc = n;
    *argv = out;
    return PT_OK;
}

struct pt_dir {
    HANDLE find;
    WIN32_FIND_DATAW data;
    int have_entry;   /* data holds an entry not yet returned */
    char *name;       /* the last name returned, UTF-8 */
    char *path;
};

pt_status pt_dir_open(const char *path, pt_dir **out, pt_error *err)
{
    size_t len = strlen(path);
    char *pattern = malloc(len + 3);
    wchar_t *w = NULL;
    pt_dir *d = NULL;
    pt_status st = PT_OK;

    *out = NULL;
    d = calloc(1, sizeof *d);
    if (pattern == NULL || d == NULL || (d->path = malloc(len + 1)) == NULL) {
        st = pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
        goto fail;
    }
    memcpy(d->path, path, len + 1);
    /* "DIR\*", without doubling a separator the caller already wrote. */
    memcpy(pattern, path, len);
    if (len > 0 && pattern[len - 1] != '\\' && pattern[len - 1] != '/')
        pattern[len++] = '\\';
    pattern[len++] = '*';
    pattern[len] = '\0';
    w = utf8_to_wide(pattern);
    if (w == NULL) {
        st = pt_error_set(err, errno == ENOMEM ? PT_ERR_NOMEM : PT_ERR_IO, path, PT_NO_OFFSET,
                          "the name is not valid UTF-8");
        goto fail;
    }
    d->find = FindFirstFileW(w, &d->data);
    if (d->find == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e != ERROR_FILE_NOT_FOUND) {
            st = pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                              "cannot list the directory (Windows error %lu)", (unsigned long)e);
            goto fail;
        }
    } else {
        d->have_entry = 1;
    }
    free(w);
    free(pattern);
    *out = d;
    return PT_OK;
fail:
    free(w);
    free(pattern);
    pt_dir_close(d);
    return st;
}

pt_status pt_dir_next(pt_dir *d, const char **name, int *is_directory, pt_error *err)
{
    *name = NULL;
    *is_directory = 0;
    free(d->name);
    d->name = NULL;
    while (d->have_entry) {
        const wchar_t *n = d->data.cFileName;
        int skip = wcscmp(n, L".") == 0 || wcscmp(n, L"..") == 0;
        if (!skip) {
            d->name = wide_to_utf8(n);
            if (d->name == NULL)
                return pt_error_set(err, PT_ERR_NOMEM, d->path, PT_NO_OFFSET, "out of memory");
            *is_directory = (d->data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
        }
        if (!FindNextFileW(d->find, &d->data)) {
            DWORD e = GetLastError();
            d->have_entry = 0;
            if (e != ERROR_NO_MORE_FILES) {
                free(d->name);
                d->name = NULL;
                return pt_error_set(err, PT_ERR_IO, d->path, PT_NO_OFFSET,
                                    "cannot list the directory (Windows error %lu)",
                                    (unsigned long)e);
            }
        }
        if (!skip) {
            *name = d->name;
            return PT_OK;
        }
    }
    return PT_OK;
}

void pt_dir_close(pt_dir *d)
{
    if (d == NULL)
        return;
    if (d->find != NULL && d->find != INVALID_HANDLE_VALUE)
        FindClose(d->find);
    free(d->name);
    free(d->path);
    free(d);
}

#else /* POSIX */

int pt_platform_open_read(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC);
}

int pt_platform_open_write(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

int pt_platform_remove(const char *path)
{
    return unlink(path);
}

int pt_platform_mkdir(const char *path)
{
    return mkdir(path, 0755);
}

int64_t pt_platform_pread(int fd, void *buf, size_t len, uint64_t off)
{
    ssize_t n;
    if (off > (uint64_t)INT64_MAX) {
        errno = EINVAL;
        return -1;
    }
    do {
        n = pread(fd, buf, len, (off_t)off);
    } while (n < 0 && errno == EINTR);
    return (int64_t)n;
}

pt_status pt_platform_stat(const char *path, pt_file_info *info, pt_error *err)
{
    struct stat st;

    memset(info, 0, sizeof *info);
    if (stat(path, &st) != 0)
        return pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET, "cannot stat: %s",
                            strerror(errno));
    info->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    info->is_regular = S_ISREG(st.st_mode);
    info->is_directory = S_ISDIR(st.st_mode);
    info->modified = pt_filetime_from_unix((int64_t)st.st_mtim.tv_sec,
                                           (uint32_t)st.st_mtim.tv_nsec);
    return PT_OK;
}

pt_status pt_platform_same_file(const char *a, const char *b, int *same, pt_error *err)
{
    struct stat sa, sb;
    (void)err;
    *same = stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
            sa.st_ino == sb.st_ino;
    return PT_OK;
}

pt_status pt_platform_hostname(char *buf, size_t cap, pt_error *err)
{
    if (cap == 0)
        return pt_error_set(err, PT_ERR_USAGE, NULL, PT_NO_OFFSET, "no room for the host name");
    if (gethostname(buf, cap) != 0)
        return pt_error_set(err, PT_ERR_IO, NULL, PT_NO_OFFSET, "cannot get the host name: %s",
                            strerror(errno));
    /* gethostname need not terminate a name it had to cut. */
    buf[cap - 1] = '\0';
    return PT_OK;
}

pt_status pt_platform_utf8_args(int *argc, char ***argv, pt_error *err)
{
    (void)argc;
    (void)argv;
    (void)err;
    return PT_OK;
}

struct pt_dir {
    DIR *dir;
    char *path;
    char *entry_path;  /* path/name, for stat when d_type says nothing */
    size_t entry_cap;
};

pt_status pt_dir_open(const char *path, pt_dir **out, pt_error *err)
{
    pt_dir *d = calloc(1, sizeof *d);
    size_t len = strlen(path);

    *out = NULL;
    if (d == NULL || (d->path = malloc(len + 1)) == NULL) {
        free(d);
        return pt_error_set(err, PT_ERR_NOMEM, path, PT_NO_OFFSET, "out of memory");
    }
    memcpy(d->path, path, len + 1);
    d->dir = opendir(path);
    if (d->dir == NULL) {
        pt_status st = pt_error_set(err, PT_ERR_IO, path, PT_NO_OFFSET,
                                    "cannot list the directory: %s", strerror(errno));
        pt_dir_close(d);
        return st;
    }
    *out = d;
    return PT_OK;
}

/* Whether path/name is a directory, by stat (d_type is not always filled). */
static pt_status entry_is_directory(pt_dir *d, const char *name, int *is_directory,
                                    pt_error *err)
{
    size_t plen = strlen(d->path), nlen = strlen(name);
    struct stat st;

    if (plen + nlen + 2 > d->entry_cap) {
        char *p = realloc(d->entry_path, plen + nlen + 2);
        if (p == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, d->path, PT_NO_OFFSET, "out of memory");
        d->entry_path = p;
        d->entry_cap = plen + nlen + 2;
    }
    memcpy(d->entry_path, d->path, plen);
    d->entry_path[plen] = '/';
    memcpy(d->entry_path + plen + 1, name, nlen + 1);
    /* A dangling link is not a directory; it is reported, and opening it
     * later gives the error. */
    *is_directory = stat(d->entry_path, &st) == 0 && S_ISDIR(st.st_mode);
    return PT_OK;
}

pt_status pt_dir_next(pt_dir *d, const char **name, int *is_directory, pt_error *err)
{
    struct dirent *e;

    *name = NULL;
    *is_directory = 0;
    for (;;) {
        errno = 0;
        e = readdir(d->dir);
        if (e == NULL) {
            if (errno != 0)
                return pt_error_set(err, PT_ERR_IO, d->path, PT_NO_OFFSET,
                                    "cannot list the directory: %s", strerror(errno));
            return PT_OK;
        }
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            break;
    }
    *name = e->d_name;
    return entry_is_directory(d, e->d_name, is_directory, err);
}

void pt_dir_close(pt_dir *d)
{
    if (d == NULL)
        return;
    if (d->dir != NULL)
        closedir(d->dir);
    free(d->path);
    free(d->entry_path);
    free(d);
}

#endif
