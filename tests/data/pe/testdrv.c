/* testdrv.c - a driver whose pool tags are known: every call below that
 * passes a constant tag is a call site pooltriage must find (test_pe.c
 * lists them), built for x64 and x86 with mingw-w64 by the test suite.
 * Tags are written reversed, as in WDK sources: 'kaeL' is "Leak". */
#include <ntddk.h>

/* mingw-w64 10 lacks these (WDK 2004+); extra_ntos*.def makes the import lib. */
NTKERNELAPI PVOID NTAPI ExAllocatePool2(ULONG64 Flags, SIZE_T NumberOfBytes, ULONG Tag);
NTKERNELAPI VOID NTAPI ExFreePool2(PVOID P, ULONG Tag, PVOID Ext, ULONG Count);

/* Tags loaded from globals (read-only and writable). */
__attribute__((section(".rdata"))) static const volatile ULONG rodata_tag = 'tdoR'; /* "Rodt" */
static volatile ULONG global_tag = 'bolG';         /* "Glob" */
/* A tag that appears only as bytes, never passed to an API: "LitX". */
const char literal_only[] = "LitX marks the spot";
volatile const char *keep_literal;

static NPAGED_LOOKASIDE_LIST lookaside;

/* A wrapper that forwards its tag parameter (noipa: GCC must not clone
 * it with the constant folded in). */
__attribute__((noipa)) static PVOID alloc_wrap(SIZE_T n, ULONG tag)
{
    return ExAllocatePoolWithTag(NonPagedPool, n, tag);
}

__attribute__((noipa)) static VOID several_calls(VOID)
{
    PVOID a = ExAllocatePoolWithQuotaTag(PagedPool, 32, 'atoQ');          /* "Qota" */
    PVOID b = ExAllocatePoolWithTagPriority(NonPagedPool, 48, 'irPT',
                                            NormalPoolPriority);          /* "TPri" */
    PVOID c = ExAllocatePool2(0x40, 128, '2loP');                         /* "Pol2" */
    if (a)
        ExFreePoolWithTag(a, 'atoQ');
    if (b)
        ExFreePoolWithTag(b, 'irPT');
    if (c)
        ExFreePool2(c, '2loP', NULL, 0);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PVOID p, q, r, s, u;

    (void)DriverObject;
    (void)RegistryPath;
    keep_literal = literal_only;
    p = ExAllocatePoolWithTag(NonPagedPool, 64, 'kaeL');                  /* "Leak" */
    q = ExAllocatePoolWithTag(PagedPool, global_tag, rodata_tag);         /* "Rodt" */
    r = ExAllocatePoolWithTag(PagedPool, 16, global_tag);                 /* "Glob" */
    s = alloc_wrap(24, '1prW');                                           /* "Wrp1" */
    u = alloc_wrap(40, '2prW');                                           /* "Wrp2" */
    ExInitializeNPagedLookasideList(&lookaside, NULL, NULL, 0, 256, 'saLT', 0); /* "TLas" */
    several_calls();
    if (p)
        ExFreePoolWithTag(p, 'kaeL');
    if (q)
        ExFreePool(q);
    if (r)
        ExFreePool(r);
    if (s)
        ExFreePool(s);
    if (u)
        ExFreePool(u);
    return STATUS_SUCCESS;
}
