/* armdrv.c - an ARM64 driver whose pool tags are known (built by the test
 * suite with clang --target=aarch64-pc-windows-msvc and lld-link, without
 * the WDK: the prototypes are declared here).  On ARM64 a constant tag is
 * built in a register by MOVZ+MOVK, so its four bytes never appear
 * together in the file: findstr finds none of these tags. */
typedef unsigned int ULONG;
typedef unsigned long long ULONG64;
typedef unsigned long long SIZE_T;
typedef void *PVOID;
typedef long NTSTATUS;

__declspec(dllimport) PVOID ExAllocatePoolWithTag(int PoolType, SIZE_T Bytes, ULONG Tag);
__declspec(dllimport) PVOID ExAllocatePool2(ULONG64 Flags, SIZE_T Bytes, ULONG Tag);
__declspec(dllimport) void ExFreePoolWithTag(PVOID P, ULONG Tag);

static volatile ULONG global_tag = 'bolG';   /* "Glob": a writable global */
volatile PVOID keep[4];

__declspec(noinline) static PVOID alloc_wrap(SIZE_T n, ULONG tag)
{
    return ExAllocatePoolWithTag(0x200, n, tag);
}

NTSTATUS DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    PVOID p = ExAllocatePoolWithTag(0, 64, 'mrAA');         /* "AArm" */
    keep[0] = ExAllocatePool2(0x40, 128, '2mrA');            /* "Arm2" */
    keep[1] = ExAllocatePoolWithTag(1, 32, global_tag);     /* "Glob" */
    keep[2] = alloc_wrap(48, '1prW');                       /* "Wrp1" */
    (void)DriverObject;
    (void)RegistryPath;
    if (p)
        ExFreePoolWithTag(p, 'mrAA');
    return 0;
}
