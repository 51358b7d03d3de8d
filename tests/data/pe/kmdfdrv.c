/* kmdfdrv.c - a KMDF-style driver: pool tags passed through the WDF
 * function table (WdfMemoryCreate, index 192; WdfLookasideListCreate,
 * index 198; pe-drivers.md §2.5), which appears nowhere in the imports,
 * plus one direct ExAllocatePoolWithTag.  The table pointer is a global
 * filled by the loader stub, as in a real KMDF driver. */
#include <ntddk.h>

typedef VOID(NTAPI *PFN_WDF_FUNCTION)(VOID);
typedef NTSTATUS(NTAPI *PFN_WDFMEMORYCREATE)(PVOID Globals, PVOID Attributes,
                                             POOL_TYPE PoolType, ULONG PoolTag,
                                             SIZE_T BufferSize, PVOID *Memory,
                                             PVOID *Buffer);
typedef NTSTATUS(NTAPI *PFN_WDFLOOKASIDELISTCREATE)(PVOID Globals, PVOID LookasideAttributes,
                                                    SIZE_T BufferSize, POOL_TYPE PoolType,
                                                    PVOID MemoryAttributes, ULONG PoolTag,
                                                    PVOID *Lookaside);

/* From WDFLDR.SYS (wdfldr*.def makes the import lib). */
NTSYSAPI NTSTATUS NTAPI WdfVersionBind(PDRIVER_OBJECT DriverObject,
                                       PUNICODE_STRING RegistryPath, PVOID BindInfo,
                                       PVOID *ComponentGlobals);

PFN_WDF_FUNCTION *WdfFunctions_01015;
PVOID WdfDriverGlobals;
static UCHAR bind_info[64];

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PVOID memory = NULL, buffer = NULL, lookaside = NULL, raw;
    NTSTATUS status = WdfVersionBind(DriverObject, RegistryPath, bind_info, &WdfDriverGlobals);

    if (!NT_SUCCESS(status))
        return status;
    status = ((PFN_WDFMEMORYCREATE)WdfFunctions_01015[192])(WdfDriverGlobals, NULL,
                                                           NonPagedPool, 'MdmK', 512,
                                                           &memory, &buffer); /* "KmdM" */
    if (!NT_SUCCESS(status))
        return status;
    status = ((PFN_WDFLOOKASIDELISTCREATE)WdfFunctions_01015[198])(
        WdfDriverGlobals, NULL, 128, NonPagedPool, NULL, 'LdmK', &lookaside); /* "KmdL" */
    raw = ExAllocatePoolWithTag(NonPagedPool, 32, 'EdmK');                    /* "KmdE" */
    if (raw)
        ExFreePoolWithTag(raw, 'EdmK');
    return status;
}
