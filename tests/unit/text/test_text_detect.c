/* test_text_detect.c - each real text output is recognized by content,
 * by its own probe only; anything else is refused with a clear error. */
#include "pt_readers.h"
#include "text_fixture.h"
#include "text_readers.h"

typedef struct known_file {
    const char *path;   /* under PT_REAL_DATA, or PT_TEST_DATA when data=1 */
    int data;
    const pt_reader *reader;
} known_file;

static const known_file files[] = {
    {"seed/ws2003-x86-lkd-poolused-t5-2.txt", 0, &pt_reader_poolused},
    {"seed/ws2012r2-livekd-poolused-t5-2.txt", 0, &pt_reader_poolused},
    {"text/poolused-02-lordnoteworthy-wi6-np.txt", 0, &pt_reader_poolused},
    {"text/poolused-04-msdocs-poolused0-xp-total.txt", 0, &pt_reader_poolused},
    {"text/poolused-06-nickkuo-amda-leak-win11.txt", 0, &pt_reader_poolused},
    {"seed/ws2003-x86-lkd-vm1.txt", 0, &pt_reader_vm},
    {"seed/ws2012r2-livekd-vm4.txt", 0, &pt_reader_vm},
    {"text/vm-01-insightengineering-triage-win11.txt", 0, &pt_reader_vm},
    {"text/vm-06-msdocs-vm1-xp-x86.txt", 0, &pt_reader_vm},
    {"text/vm-10-hyp3ri0n-lkd-win10-numa.txt", 0, &pt_reader_vm},
    {"text/poolmon-01-msdocs-ntf-mapped.txt", 0, &pt_reader_poolmon},
    {"text/poolmon-04-msdocs-session0-mapped.txt", 0, &pt_reader_poolmon},
    {"text/poolmon-07-msdocs-x64-hid-mapped.txt", 0, &pt_reader_poolmon},
    {"text/poolmon-11-amf-book-vi-poolmon-b-win7x86.txt", 0, &pt_reader_poolmon},
    {"text/pooltag-sample.txt", 1, &pt_reader_pooltag},
    {"text/localtag-sample.txt", 1, &pt_reader_pooltag},
};

static const pt_reader *const text_readers[] = {&pt_reader_poolused, &pt_reader_vm,
                                                &pt_reader_poolmon, &pt_reader_pooltag};

static void test_each_file_detected(void)
{
    size_t i, k;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        const char *path = files[i].data ? PT_DATA(files[i].path) : PT_REAL(files[i].path);
        size_t len = 0;
        char *raw = fx_slurp(path, &len);
        pt_source *src = NULL;
        const pt_reader *found = NULL;
        pt_error err;

        PT_CHECK(raw != NULL);
        if (raw == NULL)
            continue;
        /* its own probe says yes, the three others say 0 */
        for (k = 0; k < 4; k++) {
            int score = text_readers[k]->probe((const uint8_t *)raw, len);
            if (text_readers[k] == files[i].reader)
                PT_CHECK(score > 0);
            else if (score != 0) {
                PT_CHECK(score == 0);
                fprintf(stderr, "  %s: %s probe says %d\n", files[i].path,
                        text_readers[k]->name, score);
            }
        }
        /* and the registry picks it over every other reader */
        PT_CHECK_U64(pt_source_open_file(path, &src, &err), PT_OK);
        PT_CHECK_U64(pt_readers_detect(src, &found, &err), PT_OK);
        PT_CHECK(found == files[i].reader);
        if (found != files[i].reader)
            fprintf(stderr, "  %s detected as %s\n", files[i].path, found ? found->name : "-");
        /* a collapsed copy is still recognized */
        {
            size_t clen = 0;
            char *col = fx_collapse(raw, len, &clen);
            PT_CHECK(files[i].reader->probe((const uint8_t *)col, clen) > 0);
            free(col);
        }
        pt_source_close(src);
        /* and so is a UTF-16LE copy, through the registry */
        {
            size_t ulen = 0;
            char *u16 = fx_utf16(raw, len, &ulen);
            PT_CHECK_U64(pt_source_open_memory(u16, ulen, "u16", &src, &err), PT_OK);
            PT_CHECK_U64(pt_readers_detect(src, &found, &err), PT_OK);
            PT_CHECK(found == files[i].reader);
            pt_source_close(src);
            free(u16);
        }
        free(raw);
    }
}

/* Files that are none of the four: every text probe says 0 and detection
 * names the file. */
static void test_other_files_refused(void)
{
    static const char *const others[] = {"seed/ws2003-findstr-Leak.txt",
                                         "seed/ws2012r2-findstr-MPP.txt", "text/README.md",
                                         "seed/README.md"};
    size_t i, k;
    for (i = 0; i < sizeof others / sizeof others[0]; i++) {
        size_t len = 0;
        char *raw = fx_slurp(PT_REAL(others[i]), &len);
        pt_source *src = NULL;
        const pt_reader *found = NULL;
        pt_error err;

        PT_CHECK(raw != NULL);
        if (raw == NULL)
            continue;
        for (k = 0; k < 4; k++)
            PT_CHECK_U64(text_readers[k]->probe((const uint8_t *)raw, len), 0);
        PT_CHECK_U64(pt_source_open_file(PT_REAL(others[i]), &src, &err), PT_OK);
        PT_CHECK_U64(pt_readers_detect(src, &found, &err), PT_ERR_FORMAT);
        PT_CHECK(strstr(err.message, others[i]) != NULL);
        pt_source_close(src);
        free(raw);
    }
}

static void test_empty_and_binary(void)
{
    static const uint8_t binary[] = {0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 'T', 'a',
                                     'g',  ' ',  'A',  'l',  'l',  'o',  'c',  's'};
    size_t k;
    for (k = 0; k < 4; k++) {
        PT_CHECK_U64(text_readers[k]->probe((const uint8_t *)"", 0), 0);
        PT_CHECK_U64(text_readers[k]->probe(binary, sizeof binary), 0);
    }
}

PT_TEST_MAIN(PT_TEST(test_each_file_detected), PT_TEST(test_other_files_refused),
             PT_TEST(test_empty_and_binary))
