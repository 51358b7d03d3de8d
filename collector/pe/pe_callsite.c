/* pe_callsite.c - constant pool tags at calls to tag-taking APIs
 * (pe-drivers.md §2.2, §2.5, §2.6, §3.1), decoded with Zydis.
 *
 * Each function is decoded straight through, tracking what every
 * general register and every stack slot written since the last call
 * holds: a constant (immediate, or a global's initial value), the address
 * of an import (loaded from its IAT slot), a pointer loaded from a global
 * (the KMDF function table), or an unmodified incoming parameter (x64
 * wrappers).  At a call or tail jump to a tag-taking API, the tag
 * argument's location is read.  Function bounds come from .pdata on x64;
 * without it (x86) code sections are swept and a call belongs to the
 * nearest preceding function start (entry point or call target).
 */
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "pe_internal.h"
#include "pt_byteorder.h"

/* ---- the APIs that take a tag ------------------------------------------ */

typedef struct pool_api {
    const char *name;
    uint8_t tag_arg;          /* 1-based, as documented */
    uint8_t tag_slot32;       /* x86 stack slot, when a 64-bit argument before
                                 the tag takes two (0 = same as tag_arg) */
} pool_api;

static const pool_api pool_apis[] = {
    {"ExAllocatePoolWithTag", 3, 0},
    {"ExAllocatePoolWithQuotaTag", 3, 0},
    {"ExAllocatePoolWithTagPriority", 3, 0},
    {"ExAllocatePool2", 3, 4},  /* ULONG64 Flags (§2.2: push tag, size, hi, lo) */
    {"ExAllocatePool3", 3, 4},
    {"ExFreePoolWithTag", 2, 0},
    {"ExFreePool2", 2, 0},
    {"ExInitializeNPagedLookasideList", 6, 0},
    {"ExInitializePagedLookasideList", 6, 0},
    {"ExInitializeLookasideListEx", 7, 0},
    {"ExAllocateCacheAwareRundownProtection", 2, 0},
    {"FsRtlAllocatePoolWithTag", 3, 0},
    {"FsRtlAllocatePoolWithQuotaTag", 3, 0},
    {"NdisAllocateMemoryWithTag", 3, 0},
    {"NdisAllocateMemoryWithTagPriority", 3, 0},
    {"NdisFreeMemoryWithTag", 2, 0},
    {"NdisFreeMemoryWithTagPriority", 3, 0},
    {"FltAllocatePoolAlignedWithTag", 4, 0},
    {"FltFreePoolAlignedWithTag", 3, 0},
    {"VideoPortAllocatePool", 4, 0},
    {"StorPortExtendedFunction", 4, 0},   /* only with function code 0 (§2.2) */
};
#define POOL_API_COUNT (sizeof pool_apis / sizeof pool_apis[0])
#define STORPORT_API "StorPortExtendedFunction"

/* KMDF function table (§2.5): byte offsets of the entries, x64 and x86;
 * the positions count the hidden WdfDriverGlobals first argument. */
typedef struct wdf_api {
    const char *name;
    uint32_t off64, off32;
    uint8_t tag_arg;
} wdf_api;

static const wdf_api wdf_apis[] = {
    {"WdfMemoryCreate", 0x600, 0x300, 4},
    {"WdfLookasideListCreate", 0x630, 0x318, 6},
};
#define WDF_API_COUNT (sizeof wdf_apis / sizeof wdf_apis[0])

/* ---- values tracked in registers and stack slots ---------------------- */

typedef enum val_kind {
    VAL_UNKNOWN = 0,
    VAL_CONST,       /* value, how */
    VAL_IMPORT,      /* api: address of a tag API (from the IAT) */
    VAL_LOADED,      /* pointer loaded from a global (value = its initial value) */
    VAL_WDF,         /* api: a KMDF table entry */
    VAL_PARAM,       /* param: unmodified incoming argument */
    VAL_ADDR,        /* value: an RVA (ARM64 adrp/add) */
} val_kind;

typedef struct val {
    val_kind kind;
    uint8_t param;
    const char *how;
    uint64_t value;
    int api;          /* index into pool_apis, or WDF index + POOL_API_COUNT */
} val;

#define REG_COUNT 32 /* x64 uses 16, ARM64 x0..x30 */
#define SLOT_COUNT 24

typedef struct slot {
    int64_t off;      /* relative to the stack pointer at function entry */
    val v;
    int used;
} slot;

typedef struct track {
    val regs[REG_COUNT];
    slot slots[SLOT_COUNT];
    size_t next_slot;
    int64_t sp;       /* stack pointer relative to function entry */
} track;

/* A function found to pass its incoming parameter k as an API's tag. */
typedef struct wrapper {
    uint32_t start;
    uint8_t param;
    int api;
} wrapper;

/* An import thunk: `jmp [IAT]` at rva. */
typedef struct thunk {
    uint32_t rva;
    int api;
} thunk;

typedef struct cs {
    pe_ctx *ctx;
    ZydisDecoder dec;
    int is64;
    int arm64;                  /* ARM64 code, decoded by hand (arm64_*) */
    uint32_t width;             /* pointer size */
    int *slot_api;              /* per IAT slot (ctx->slots order): api or -1 */
    int wdf;                    /* the driver binds KMDF */
    thunk *thunks;
    size_t thunk_count, thunk_cap;
    wrapper *wrappers;
    size_t wrapper_count, wrapper_cap;
    int wrapper_pass;           /* second pass: only calls to wrappers count */
    uint32_t *starts;           /* x86/no-pdata function starts, sorted */
    uint64_t budget;            /* bytes left to decode (overlapping hostile .pdata) */
    uint32_t lo_target, hi_target; /* range of slots, thunks and wrappers */
    int out_of_budget;
    size_t start_count, start_cap;
    pt_error *err;
} cs;

static void val_clear(val *v)
{
    memset(v, 0, sizeof *v);
}

/* entry: at a function start, where the parameters are known places
 * (x64: rcx, rdx, r8, r9; x86: [esp+4], [esp+8], ... above the return
 * address). */
#define ARCH_ARM64 2 /* track_reset's is64 argument for ARM64 code */

static void track_reset(track *t, int is64, int entry)
{
    int i;
    memset(t, 0, sizeof *t);
    if (!entry)
        return;
    if (is64 == ARCH_ARM64) {
        /* x0..x7 hold parameters 1..8. */
        for (i = 0; i < 8; i++) {
            t->regs[i].kind = VAL_PARAM;
            t->regs[i].param = (uint8_t)(i + 1);
        }
        return;
    }
    for (i = 0; i < 4; i++) {
        if (is64) {
            int reg = i == 0 ? 1 : i == 1 ? 2 : 8 + (i - 2);
            t->regs[reg].kind = VAL_PARAM;
            t->regs[reg].param = (uint8_t)(i + 1);
        } else {
            slot *s = &t->slots[t->next_slot++];
            s->used = 1;
            s->off = 4 * (i + 1);
            s->v.kind = VAL_PARAM;
            s->v.param = (uint8_t)(i + 1);
        }
    }
}

static int reg_index(const cs *c, ZydisRegister r)
{
    ZydisRegister big;
    if (r == ZYDIS_REGISTER_NONE)
        return -1;
    big = ZydisRegisterGetLargestEnclosing(c->is64 ? ZYDIS_MACHINE_MODE_LONG_64
                                                   : ZYDIS_MACHINE_MODE_LEGACY_32, r);
    if (c->is64 && big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15)
        return (int)(big - ZYDIS_REGISTER_RAX);
    if (!c->is64 && big >= ZYDIS_REGISTER_EAX && big <= ZYDIS_REGISTER_EDI)
        return (int)(big - ZYDIS_REGISTER_EAX);
    return -1;
}

#define REG_SP 4

static int is_sp(const cs *c, ZydisRegister r)
{
    return reg_index(c, r) == REG_SP;
}

static slot *slot_find(track *t, int64_t off)
{
    size_t i;
    for (i = 0; i < SLOT_COUNT; i++)
        if (t->slots[i].used && t->slots[i].off == off)
            return &t->slots[i];
    return NULL;
}

static void slot_set(track *t, int64_t off, const val *v)
{
    slot *s = slot_find(t, off);
    if (s == NULL) {
        s = &t->slots[t->next_slot];
        t->next_slot = (t->next_slot + 1) % SLOT_COUNT;
    }
    s->used = 1;
    s->off = off;
    s->v = *v;
}

static void slots_clear(track *t)
{
    size_t i;
    for (i = 0; i < SLOT_COUNT; i++)
        t->slots[i].used = 0;
}

/* ---- the IAT, thunks and wrappers ------------------------------------- */

static int api_of_slot(const cs *c, uint32_t rva)
{
    size_t lo = 0, hi = c->ctx->slot_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ctx->slots[mid].rva == rva)
            return c->slot_api[mid];
        if (c->ctx->slots[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int is_iat_slot(const cs *c, uint32_t rva)
{
    return pe_import_at_slot(c->ctx, rva) != NULL;
}

static int api_of_thunk(const cs *c, uint32_t rva)
{
    size_t i;
    for (i = 0; i < c->thunk_count; i++)
        if (c->thunks[i].rva == rva)
            return c->thunks[i].api;
    return -1;
}

static const wrapper *wrapper_at(const cs *c, uint32_t rva)
{
    size_t i;
    for (i = 0; i < c->wrapper_count; i++)
        if (c->wrappers[i].start == rva)
            return &c->wrappers[i];
    return NULL;
}

static const char *api_name(int api)
{
    if (api >= (int)POOL_API_COUNT)
        return wdf_apis[api - (int)POOL_API_COUNT].name;
    return pool_apis[api].name;
}

/* The tag's argument position (x64) or 32-bit stack slot (x86). */
static int api_tag_arg(const cs *c, int api)
{
    if (api >= (int)POOL_API_COUNT)
        return wdf_apis[api - (int)POOL_API_COUNT].tag_arg;
    if (!c->is64 && pool_apis[api].tag_slot32 != 0)
        return pool_apis[api].tag_slot32;
    return pool_apis[api].tag_arg;
}

/* The RVA a memory operand addresses when it is RIP-relative (x64) or
 * absolute (x86); -1 otherwise. */
static int64_t mem_target_rva(const cs *c, const ZydisDecodedInstruction *ins,
                              const ZydisDecodedOperand *op, uint32_t ip_rva)
{
    const pe_image *img = &c->ctx->img;
    ZyanU64 abs;

    if (op->type != ZYDIS_OPERAND_TYPE_MEMORY || op->mem.index != ZYDIS_REGISTER_NONE)
        return -1;
    if (c->is64) {
        if (op->mem.base != ZYDIS_REGISTER_RIP)
            return -1;
        if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(ins, op, ip_rva, &abs)))
            return -1;
        return (int64_t)(abs & 0xFFFFFFFFu);
    }
    if (op->mem.base != ZYDIS_REGISTER_NONE || !op->mem.disp.has_displacement)
        return -1;
    abs = (ZyanU64)(uint32_t)op->mem.disp.value;
    if (abs < img->image_base || abs - img->image_base > 0xFFFFFFFFu)
        return -1;
    return (int64_t)(abs - img->image_base);
}

/* A value loaded from a global at rva (size bytes): its initial value,
 * "rodata" or "global" by whether its section is writable. */
static void load_global(const cs *c, uint32_t rva, unsigned size, val *out)
{
    const pe_image *img = &c->ctx->img;
    const pe_section *s = pe_section_of_rva(img, rva);
    const uint8_t *p = pe_rva_ptr(img, rva, size);
    int api = size == c->width ? api_of_slot(c, rva) : -1;

    val_clear(out);
    if (api >= 0) {
        out->kind = VAL_IMPORT;
        out->api = api;
        return;
    }
    if (size == c->width && is_iat_slot(c, rva))
        return; /* some other import: unknown */
    if (s == NULL)
        return;
    out->kind = VAL_LOADED;
    out->how = pe_section_is_writable(s) ? PT_TAG_HOW_GLOBAL : PT_TAG_HOW_RODATA;
    /* Past the raw data a global is zero-initialised. */
    out->value = p == NULL ? 0 : size == 8 ? pt_le64(p) : size == 4 ? pt_le32(p) : 0;
}

/* ---- recording ---------------------------------------------------------- */

static int tag_plausible(uint32_t tag)
{
    int i, seen_nul = 0;
    tag = pt_tag_unprotected(tag);
    if (tag == 0)
        return 0;
    for (i = 0; i < 4; i++) {
        uint8_t b = (uint8_t)(tag >> (8 * i));
        if (b == 0) {
            if (i == 0)
                return 0;
            seen_nul = 1;
        } else if (seen_nul || b < 0x20 || b > 0x7E) {
            return 0;
        }
    }
    return 1;
}

static uint32_t function_start_of(const cs *c, uint32_t rva, uint32_t fallback)
{
    size_t lo = 0, hi = c->start_count;
    if (c->start_count == 0)
        return fallback;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->starts[mid] <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? fallback : c->starts[lo - 1];
}

static pt_status record_tag(cs *c, int api, const val *v, const char *how, uint32_t func,
                            uint32_t call_rva)
{
    pt_driver_tag t;
    uint32_t tag = pt_tag_unprotected((uint32_t)v->value);

    if (!tag_plausible((uint32_t)v->value))
        return PT_OK;
    memset(&t, 0, sizeof t);
    t.tag = tag;
    t.evidence = PT_DRIVER_EV_CALLSITE;
    t.api = api_name(api);
    t.how = how;
    t.function_rva = func;
    t.call_rva = call_rva;
    return pe_add_tag(c->ctx, &t, c->err);
}

#define MAX_WRAPPERS 256
#define MAX_THUNKS 256

static pt_status add_wrapper(cs *c, uint32_t start, uint8_t param, int api)
{
    /* An import thunk (jmp [IAT]) forwards every argument: it is handled
     * as the API itself, not as a wrapper. */
    if (wrapper_at(c, start) != NULL || api_of_thunk(c, start) >= 0 ||
        c->wrapper_count >= MAX_WRAPPERS)
        return PT_OK;
    if (c->wrapper_count == c->wrapper_cap) {
        size_t cap = c->wrapper_cap ? c->wrapper_cap * 2 : 8;
        wrapper *w = realloc(c->wrappers, cap * sizeof *w);
        if (w == NULL)
            return pt_error_set(c->err, PT_ERR_NOMEM, c->ctx->img.file, PT_NO_OFFSET,
                                "out of memory");
        c->wrappers = w;
        c->wrapper_cap = cap;
    }
    c->wrappers[c->wrapper_count].start = start;
    c->wrappers[c->wrapper_count].param = param;
    c->wrappers[c->wrapper_count].api = api;
    c->wrapper_count++;
    return PT_OK;
}

/* The value of argument k (1-based) at a call (tail = a jump, where the
 * return address is already on the stack). */
static const val *arg_value(cs *c, track *t, int k, int tail)
{
    static const int x64_regs[4] = {1, 2, 8, 9}; /* rcx rdx r8 r9 */
    const slot *s;
    int64_t off;

    if (c->arm64)
        return k >= 1 && k <= 8 ? &t->regs[k - 1] : NULL;
    if (c->is64 && k <= 4)
        return &t->regs[x64_regs[k - 1]];
    if (c->is64)
        off = t->sp + 0x20 + 8 * (k - 5) + (tail ? 8 : 0);
    else
        off = t->sp + 4 * (k - 1) + (tail ? 4 : 0);
    s = slot_find(t, off);
    return s != NULL ? &s->v : NULL;
}

/* A call or tail jump to api at call_rva: read the tag argument. */
static pt_status on_api_call(cs *c, track *t, int api, const char *how_override, int tag_arg,
                             uint32_t func, uint32_t call_rva, int tail)
{
    const val *v;

    if (api < (int)POOL_API_COUNT && strcmp(pool_apis[api].name, STORPORT_API) == 0) {
        /* Only ExtFunctionAllocatePool (function code 0) takes a tag. */
        const val *code = arg_value(c, t, 1, tail);
        if (code == NULL || code->kind != VAL_CONST || code->value != 0)
            return PT_OK;
    }
    v = arg_value(c, t, tag_arg, tail);
    if (v == NULL)
        return PT_OK;
    if (v->kind == VAL_CONST || v->kind == VAL_LOADED)
        return record_tag(c, api, v, how_override != NULL ? how_override : v->how, func,
                          call_rva);
    if (v->kind == VAL_PARAM && !c->wrapper_pass && how_override == NULL)
        return add_wrapper(c, func, v->param, api);
    return PT_OK;
}

/* ---- one instruction ---------------------------------------------------- */

static void set_reg(cs *c, track *t, const ZydisDecodedOperand *op, const val *v)
{
    int r = reg_index(c, op->reg.value);
    if (r < 0 || r == REG_SP)
        return;
    /* Writes narrower than 32 bits keep the upper bits: unknown. */
    if (op->size < 32 && v->kind != VAL_UNKNOWN) {
        val_clear(&t->regs[r]);
        return;
    }
    t->regs[r] = *v;
}

static void kill_volatile(cs *c, track *t)
{
    static const int vol64[] = {0, 1, 2, 8, 9, 10, 11};
    static const int vol32[] = {0, 1, 2};
    size_t i;
    if (c->is64)
        for (i = 0; i < sizeof vol64 / sizeof vol64[0]; i++)
            val_clear(&t->regs[vol64[i]]);
    else
        for (i = 0; i < sizeof vol32 / sizeof vol32[0]; i++)
            val_clear(&t->regs[vol32[i]]);
    slots_clear(t);
}

/* The value an operand reads (register, immediate or memory). */
static void operand_value(cs *c, track *t, const ZydisDecodedInstruction *ins,
                          const ZydisDecodedOperand *op, uint32_t ip_rva, val *out)
{
    int64_t g;
    int r;

    val_clear(out);
    switch (op->type) {
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        out->kind = VAL_CONST;
        out->value = op->imm.value.u;
        out->how = PT_TAG_HOW_IMMEDIATE;
        break;
    case ZYDIS_OPERAND_TYPE_REGISTER:
        r = reg_index(c, op->reg.value);
        if (r >= 0 && r != REG_SP && op->size >= 32)
            *out = t->regs[r];
        break;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        g = mem_target_rva(c, ins, op, ip_rva);
        if (g >= 0 && (op->size == 32 || op->size == 64)) {
            load_global(c, (uint32_t)g, op->size / 8, out);
        } else if (is_sp(c, op->mem.base) && op->mem.index == ZYDIS_REGISTER_NONE) {
            slot *s = slot_find(t, t->sp + op->mem.disp.value);
            if (s != NULL)
                *out = s->v;
        } else if (c->wdf && op->mem.index == ZYDIS_REGISTER_NONE &&
                   (r = reg_index(c, op->mem.base)) >= 0 && t->regs[r].kind == VAL_LOADED) {
            size_t i;
            for (i = 0; i < WDF_API_COUNT; i++)
                if ((uint64_t)op->mem.disp.value ==
                    (c->is64 ? wdf_apis[i].off64 : wdf_apis[i].off32)) {
                    out->kind = VAL_WDF;
                    out->api = (int)(POOL_API_COUNT + i);
                }
        }
        break;
    default:
        break;
    }
}

/* Where a call or jump goes: an API (returns its index, how_override
 * set for wrappers), or -1. */
static int branch_target_api(cs *c, track *t, const ZydisDecodedInstruction *ins,
                             const ZydisDecodedOperand *op, uint32_t ip_rva, int *tag_arg,
                             const char **how_override)
{
    val v;
    *how_override = NULL;
    if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op->imm.is_relative) {
        ZyanU64 abs;
        uint32_t target;
        const wrapper *w;
        int api;
        if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(ins, op, ip_rva, &abs)))
            return -1;
        target = (uint32_t)abs;
        api = api_of_thunk(c, target);
        if (api >= 0 && !c->wrapper_pass) {
            *tag_arg = api_tag_arg(c, api);
            return api;
        }
        w = c->wrapper_pass ? wrapper_at(c, target) : NULL;
        if (w != NULL) {
            *tag_arg = w->param;
            *how_override = PT_TAG_HOW_WRAPPER;
            return w->api;
        }
        return -1;
    }
    if (c->wrapper_pass)
        return -1;
    operand_value(c, t, ins, op, ip_rva, &v);
    if (v.kind == VAL_IMPORT || v.kind == VAL_WDF) {
        *tag_arg = api_tag_arg(c, v.api);
        return v.api;
    }
    /* CFG dispatch: call [__guard_dispatch_icall_fptr] with the target in rax. */
    if (c->is64 && op->type == ZYDIS_OPERAND_TYPE_MEMORY &&
        (t->regs[0].kind == VAL_IMPORT || t->regs[0].kind == VAL_WDF) &&
        mem_target_rva(c, ins, op, ip_rva) >= 0) {
        *tag_arg = api_tag_arg(c, t->regs[0].api);
        return t->regs[0].api;
    }
    return -1;
}

/* Applies one instruction to the tracked state; returns 1 when the
 * straight line ends (ret, unconditional jump). */
static pt_status step(cs *c, track *t, const ZydisDecodedInstruction *ins,
                      const ZydisDecodedOperand *ops, uint32_t ip_rva, uint32_t func, int *ends)
{
    ZydisInstructionCategory cat = ins->meta.category;
    val v;
    uint8_t i;

    *ends = 0;
    if (cat == ZYDIS_CATEGORY_CALL || cat == ZYDIS_CATEGORY_UNCOND_BR) {
        int tail = cat == ZYDIS_CATEGORY_UNCOND_BR, tag_arg = 0;
        const char *how_override;
        int api = branch_target_api(c, t, ins, &ops[0], ip_rva, &tag_arg, &how_override);
        if (api >= 0) {
            pt_status st = on_api_call(c, t, api, how_override, tag_arg, func, ip_rva, tail);
            if (st != PT_OK)
                return st;
        }
        if (tail) {
            *ends = 1;
            return PT_OK;
        }
        kill_volatile(c, t);
        return PT_OK;
    }
    if (cat == ZYDIS_CATEGORY_RET) {
        *ends = 1;
        return PT_OK;
    }
    switch (ins->mnemonic) {
    case ZYDIS_MNEMONIC_MOV:
        operand_value(c, t, ins, &ops[1], ip_rva, &v);
        if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER) {
            if (v.kind == VAL_UNKNOWN)
                val_clear(&v);
            set_reg(c, t, &ops[0], &v);
        } else if (ops[0].type == ZYDIS_OPERAND_TYPE_MEMORY && is_sp(c, ops[0].mem.base) &&
                   ops[0].mem.index == ZYDIS_REGISTER_NONE) {
            if (ops[0].size < 32)
                val_clear(&v);
            slot_set(t, t->sp + ops[0].mem.disp.value, &v);
        }
        return PT_OK;
    case ZYDIS_MNEMONIC_PUSH:
        /* The operand (push [esp+N]) is read before esp moves. */
        operand_value(c, t, ins, &ops[0], ip_rva, &v);
        t->sp -= c->width;
        slot_set(t, t->sp, &v);
        return PT_OK;
    case ZYDIS_MNEMONIC_POP:
        t->sp += c->width;
        val_clear(&v);
        if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER)
            set_reg(c, t, &ops[0], &v);
        return PT_OK;
    case ZYDIS_MNEMONIC_SUB:
    case ZYDIS_MNEMONIC_ADD:
        if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER && is_sp(c, ops[0].reg.value) &&
            ops[1].type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            int64_t d = ops[1].imm.value.s;
            t->sp += ins->mnemonic == ZYDIS_MNEMONIC_SUB ? -d : d;
            return PT_OK;
        }
        break;
    case ZYDIS_MNEMONIC_XOR:
        if (ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
            ops[1].type == ZYDIS_OPERAND_TYPE_REGISTER && ops[0].reg.value == ops[1].reg.value) {
            val_clear(&v);
            v.kind = VAL_CONST;
            v.how = PT_TAG_HOW_IMMEDIATE;
            set_reg(c, t, &ops[0], &v);
            return PT_OK;
        }
        break;
    default:
        break;
    }
    /* Anything else: what it writes becomes unknown. */
    for (i = 0; i < ins->operand_count; i++) {
        const ZydisDecodedOperand *op = &ops[i];
        if ((op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) == 0)
            continue;
        if (op->type == ZYDIS_OPERAND_TYPE_REGISTER) {
            int r = reg_index(c, op->reg.value);
            if (r == REG_SP) {
                /* An unknown change of the stack pointer (and rsp, ...). */
                slots_clear(t);
            } else if (r >= 0) {
                val_clear(&t->regs[r]);
            }
        } else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && is_sp(c, op->mem.base)) {
            slot *s = slot_find(t, t->sp + op->mem.disp.value);
            if (s != NULL)
                s->used = 0;
        }
    }
    return PT_OK;
}

/* Decodes [begin, end) straight through as the function starting at func
 * (x64 .pdata), or as a sweep where the function is looked up per call
 * (func_fixed = 0). */
/* How decode_range finds the function of a call. */
#define RANGE_SWEEP 0   /* nearest preceding start in c->starts */
#define RANGE_FUNCTION 1 /* the range is one function starting at func */
#define RANGE_GAP 2     /* code outside .pdata: a function starts after each
                           ret/jmp, past the padding */

static int is_padding(uint8_t b)
{
    return b == 0xCC || b == 0x90 || b == 0x00;
}

static pt_status decode_range(cs *c, uint32_t begin, uint32_t end, uint32_t func,
                              int mode)
{
    int func_fixed = mode != RANGE_SWEEP;
    const pe_image *img = &c->ctx->img;
    const uint8_t *p;
    size_t avail = pe_rva_span(img, begin, &p);
    uint32_t rva = begin, cur_func = func;
    size_t next_start = 0;
    track t;

    if (avail == 0)
        return PT_OK;
    if ((uint64_t)end - begin < avail)
        avail = end - begin;
    track_reset(&t, c->is64, 1);
    if (!func_fixed) {
        /* The first function start at or after begin. */
        while (next_start < c->start_count && c->starts[next_start] < begin)
            next_start++;
        cur_func = function_start_of(c, begin, begin);
    }
    while (rva - begin < avail) {
        ZydisDecodedInstruction ins;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        size_t off = rva - begin;
        int ends;
        pt_status st;

        if (c->budget == 0) {
            c->out_of_budget = 1;
            return PT_OK;
        }
        if (!func_fixed) {
            while (next_start < c->start_count && c->starts[next_start] <= rva) {
                if (c->starts[next_start] == rva) {
                    track_reset(&t, c->is64, 1);
                    cur_func = rva;
                }
                next_start++;
            }
        }
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&c->dec, p + off, avail - off, &ins, ops))) {
            /* Data or padding in code: resynchronise one byte on. */
            rva++;
            track_reset(&t, c->is64, 0);
            continue;
        }
        c->budget -= c->budget < ins.length ? c->budget : ins.length;
        st = step(c, &t, &ins, ops, rva, cur_func, &ends);
        if (st != PT_OK)
            return st;
        rva += ins.length;
        if (ends && mode == RANGE_GAP) {
            /* A leaf function (no unwind data) ends; the next one starts
             * after the padding, with its parameters in place. */
            while (rva - begin < avail && is_padding(p[rva - begin]))
                rva++;
            track_reset(&t, c->is64, 1);
            cur_func = rva;
        } else if (ends) {
            track_reset(&t, c->is64, 0);
        }
    }
    return PT_OK;
}

/* ---- thunks and function starts --------------------------------------- */

static pt_status push_u32(uint32_t **arr, size_t *count, size_t *cap, uint32_t v, pt_error *err,
                          const char *file)
{
    if (*count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        uint32_t *n = realloc(*arr, ncap * sizeof *n);
        if (n == NULL)
            return pt_error_set(err, PT_ERR_NOMEM, file, PT_NO_OFFSET, "out of memory");
        *arr = n;
        *cap = ncap;
    }
    (*arr)[(*count)++] = v;
    return PT_OK;
}

static pt_status add_thunk(cs *c, uint32_t rva, int api)
{
    if (c->thunk_count >= MAX_THUNKS)
        return PT_OK;
    if (c->thunk_count == c->thunk_cap) {
        size_t cap = c->thunk_cap ? c->thunk_cap * 2 : 16;
        thunk *n = realloc(c->thunks, cap * sizeof *n);
        if (n == NULL)
            return pt_error_set(c->err, PT_ERR_NOMEM, c->ctx->img.file, PT_NO_OFFSET,
                                "out of memory");
        c->thunks = n;
        c->thunk_cap = cap;
    }
    c->thunks[c->thunk_count].rva = rva;
    c->thunks[c->thunk_count].api = api;
    c->thunk_count++;
    return PT_OK;
}

/* Finds import thunks `jmp [IAT slot]` of tag APIs: the FF 25 opcode is
 * located by byte, then confirmed by decoding the instruction there. */
static pt_status find_thunks(cs *c, const pe_section *s)
{
    const pe_image *img = &c->ctx->img;
    const uint8_t *p;
    size_t avail = pe_rva_span(img, s->virtual_address, &p), i;

    for (i = 0; i + 6 <= avail; i++) {
        ZydisDecodedInstruction ins;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        size_t at = i;
        int64_t target;
        int api;
        if (p[i] != 0xFF || p[i + 1] != 0x25)
            continue;
        if (c->is64 && i > 0 && p[i - 1] == 0x48)
            at = i - 1;
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&c->dec, p + at, avail - at, &ins, ops)) ||
            ins.mnemonic != ZYDIS_MNEMONIC_JMP)
            continue;
        target = mem_target_rva(c, &ins, &ops[0], s->virtual_address + (uint32_t)at);
        if (target < 0)
            continue;
        api = api_of_slot(c, (uint32_t)target);
        if (api >= 0) {
            pt_status st = add_thunk(c, s->virtual_address + (uint32_t)at, api);
            if (st != PT_OK)
                return st;
        }
    }
    return PT_OK;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Function starts for a sweep: the entry point and every direct call
 * target inside a code section (a first, operand-free decode pass). */
static pt_status collect_starts(cs *c)
{
    const pe_image *img = &c->ctx->img;
    uint16_t si;
    pt_status st;

    if (img->entry_point != 0) {
        st = push_u32(&c->starts, &c->start_count, &c->start_cap, img->entry_point, c->err,
                      img->file);
        if (st != PT_OK)
            return st;
    }
    for (si = 0; si < img->section_count; si++) {
        const pe_section *s = &img->sections[si];
        const uint8_t *p;
        size_t avail, off = 0;
        if (!pe_section_is_code(s))
            continue;
        avail = pe_rva_span(img, s->virtual_address, &p);
        while (off < avail) {
            ZydisDecodedInstruction ins;
            if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&c->dec, NULL, p + off, avail - off,
                                                            &ins))) {
                off++;
                continue;
            }
            if (ins.meta.category == ZYDIS_CATEGORY_CALL && ins.raw.imm[0].is_relative) {
                uint32_t target = s->virtual_address + (uint32_t)off + ins.length +
                                  (uint32_t)ins.raw.imm[0].value.s;
                const pe_section *ts = pe_section_of_rva(img, target);
                if (ts != NULL && pe_section_is_code(ts)) {
                    st = push_u32(&c->starts, &c->start_count, &c->start_cap, target, c->err,
                                  img->file);
                    if (st != PT_OK)
                        return st;
                }
            }
            off += ins.length;
        }
    }
    if (c->start_count > 1) {
        size_t i, n = 1;
        qsort(c->starts, c->start_count, sizeof *c->starts, u32_cmp);
        for (i = 1; i < c->start_count; i++)
            if (c->starts[i] != c->starts[n - 1])
                c->starts[n++] = c->starts[i];
        c->start_count = n;
    }
    return PT_OK;
}

/* ---- driving ------------------------------------------------------------ */

#define RUNTIME_FUNCTION_SIZE 12

/* Whether rva is something a call site refers to: a tag API's IAT slot,
 * an import thunk of one, or (second pass) a wrapper's start. */
static int is_interesting_target(const cs *c, uint32_t rva)
{
    if (api_of_slot(c, rva) >= 0)
        return 1;
    if (api_of_thunk(c, rva) >= 0)
        return 1;
    return c->wrapper_pass && wrapper_at(c, rva) != NULL;
}

/* A cheap pre-check before decoding a .pdata function: every form that
 * reaches a tag API from x64 code (call/jmp [rip+d], mov reg,[rip+d],
 * call/jmp rel32) ends with a 32-bit displacement relative to the next
 * byte, so a function none of whose 4-byte windows points at a slot,
 * thunk or wrapper cannot hold a call site and is not decoded.  KMDF
 * drivers (table calls through a global) are always decoded. */
static int function_may_call(const cs *c, const uint8_t *p, size_t len, uint32_t rva)
{
    size_t i;
    if (c->wdf)
        return 1;
    for (i = 0; i + 4 <= len; i++) {
        uint32_t target = rva + (uint32_t)i + 4 + pt_le32(p + i);
        if (target >= c->lo_target && target <= c->hi_target && is_interesting_target(c, target))
            return 1;
    }
    return 0;
}

typedef struct func_range {
    uint32_t begin, end;
} func_range;

static int range_cmp(const void *a, const void *b)
{
    const func_range *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* Decodes [begin, end) when the pre-check says it may hold a call site. */
static pt_status decode_if_needed(cs *c, uint32_t begin, uint32_t end, int mode)
{
    const uint8_t *code;
    size_t avail = pe_rva_span(&c->ctx->img, begin, &code);
    if (avail > end - begin)
        avail = end - begin;
    if (avail == 0)
        return PT_OK;
    if (!c->ctx->opt->force_decode && !function_may_call(c, code, avail, begin))
        return PT_OK;
    return decode_range(c, begin, end, begin, mode);
}

/* Code outside every .pdata function: leaf functions need no unwind data,
 * and an MSVC wrapper that only moves its tag and tail-jumps to the import
 * is one.  Each gap is decoded past its leading padding. */
static pt_status decode_gaps(cs *c, const func_range *r, size_t n)
{
    const pe_image *img = &c->ctx->img;
    uint16_t si;
    size_t i = 0;
    pt_status st;

    for (si = 0; si < img->section_count; si++) {
        const pe_section *s = &img->sections[si];
        uint32_t cursor = s->virtual_address, sec_end = s->virtual_address + s->raw_size;
        const uint8_t *p;
        if (!pe_section_is_code(s) || s->raw_size == 0)
            continue;
        while (i < n && r[i].begin < s->virtual_address)
            i++;
        for (;; i++) {
            uint32_t gap_end = i < n && r[i].begin < sec_end ? r[i].begin : sec_end;
            size_t avail = pe_rva_span(img, cursor, &p);
            while (cursor < gap_end && avail > 0 && is_padding(*p)) {
                cursor++;
                p++;
                avail--;
            }
            if (gap_end > cursor + 4) {
                st = decode_if_needed(c, cursor, gap_end, RANGE_GAP);
                if (st != PT_OK)
                    return st;
            }
            if (i >= n || r[i].begin >= sec_end)
                break;
            if (r[i].end > cursor)
                cursor = r[i].end;
        }
    }
    return PT_OK;
}

static pt_status decode_pdata(cs *c, int *done)
{
    const pe_image *img = &c->ctx->img;
    const uint8_t *p;
    uint32_t count, i;
    func_range *ranges;
    size_t n = 0;
    pt_status st = PT_OK;

    *done = 0;
    if (img->dir_count <= PE_DIR_EXCEPTION || img->dirs[PE_DIR_EXCEPTION].rva == 0)
        return PT_OK;
    count = img->dirs[PE_DIR_EXCEPTION].size / RUNTIME_FUNCTION_SIZE;
    p = pe_rva_ptr(img, img->dirs[PE_DIR_EXCEPTION].rva, (size_t)count * RUNTIME_FUNCTION_SIZE);
    if (p == NULL || count == 0)
        return PT_OK;
    ranges = malloc((size_t)count * sizeof *ranges);
    if (ranges == NULL)
        return pt_error_set(c->err, PT_ERR_NOMEM, img->file, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < count && st == PT_OK; i++) {
        uint32_t begin = pt_le32(p + (size_t)i * RUNTIME_FUNCTION_SIZE);
        uint32_t end = pt_le32(p + (size_t)i * RUNTIME_FUNCTION_SIZE + 4);
        const pe_section *s = pe_section_of_rva(img, begin);
        /* Entries outside code, inverted, or absurdly long are skipped. */
        if (end <= begin || s == NULL || !pe_section_is_code(s) || end - begin > (64u << 20))
            continue;
        ranges[n].begin = begin;
        ranges[n].end = end;
        n++;
        st = decode_if_needed(c, begin, end, RANGE_FUNCTION);
    }
    if (st == PT_OK) {
        if (n > 1)
            qsort(ranges, n, sizeof *ranges, range_cmp);
        st = decode_gaps(c, ranges, n);
    }
    free(ranges);
    *done = 1;
    return st;
}

static pt_status decode_all(cs *c)
{
    const pe_image *img = &c->ctx->img;
    uint16_t si;
    int done = 0;
    pt_status st;

    if (c->is64) {
        st = decode_pdata(c, &done);
        if (st != PT_OK || done)
            return st;
    }
    for (si = 0; si < img->section_count; si++) {
        const pe_section *s = &img->sections[si];
        if (!pe_section_is_code(s))
            continue;
        st = decode_range(c, s->virtual_address, s->virtual_address + s->raw_size, 0, RANGE_SWEEP);
        if (st != PT_OK)
            return st;
    }
    return PT_OK;
}

static void widen(cs *c, uint32_t rva)
{
    if (rva < c->lo_target)
        c->lo_target = rva;
    if (rva > c->hi_target)
        c->hi_target = rva;
}

static void target_range(cs *c)
{
    size_t i;
    c->lo_target = UINT32_MAX;
    c->hi_target = 0;
    for (i = 0; i < c->ctx->slot_count; i++)
        if (c->slot_api[i] >= 0)
            widen(c, c->ctx->slots[i].rva);
    for (i = 0; i < c->thunk_count; i++)
        widen(c, c->thunks[i].rva);
    if (c->wrapper_pass)
        for (i = 0; i < c->wrapper_count; i++)
            widen(c, c->wrappers[i].start);
}

/* Real .pdata covers each code byte about once; allow 4 times over. */
static uint64_t decode_budget(const pe_image *img)
{
    uint64_t code = 0;
    uint16_t si;
    for (si = 0; si < img->section_count; si++)
        if (pe_section_is_code(&img->sections[si]))
            code += img->sections[si].raw_size;
    return 4 * code + 65536;
}

static int lookup_pool_api(const char *name)
{
    size_t i;
    if (name == NULL)
        return -1;
    for (i = 0; i < POOL_API_COUNT; i++)
        if (strcmp(pool_apis[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void cs_free(cs *c)
{
    free(c->slot_api);
    free(c->thunks);
    free(c->wrappers);
    free(c->starts);
}

/* ---- ARM64 ------------------------------------------------------------------
 * Zydis has no ARM64 (pe-drivers.md §2.6): the few fixed-width forms that
 * carry a tag to a call are decoded by hand from the ARMv8-A encodings.
 * A tag is built in a register with MOVZ (+MOVK) or loaded from a global
 * (adrp + ldr), the import's address is loaded from its IAT slot (adrp +
 * ldr) and called with BLR (or BR for a tail call), or reached by BL to an
 * import thunk; arguments 1..8 are x0..x7.  Anything else kills the
 * register it writes. */

static uint32_t arm64_reg_d(uint32_t ins)
{
    return ins & 31;
}

static uint32_t arm64_reg_n(uint32_t ins)
{
    return (ins >> 5) & 31;
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
    uint64_t m = 1ull << (bits - 1);
    return (int64_t)((v ^ m) - m);
}

static void arm64_set(track *t, uint32_t reg, const val *v)
{
    if (reg < 31)
        t->regs[reg] = *v;
}

static void arm64_kill(track *t, uint32_t reg)
{
    if (reg < 31)
        val_clear(&t->regs[reg]);
}

static void arm64_kill_volatile(track *t)
{
    uint32_t r;
    for (r = 0; r <= 18; r++)
        val_clear(&t->regs[r]);
}

/* The api a branch to target reaches (an import thunk, or a wrapper in the
 * second pass), or -1. */
static int arm64_direct_api(cs *c, uint32_t target, int *tag_arg, const char **how)
{
    const wrapper *w;
    int api;
    *how = NULL;
    if (!c->wrapper_pass) {
        api = api_of_thunk(c, target);
        if (api >= 0) {
            *tag_arg = api_tag_arg(c, api);
            return api;
        }
        return -1;
    }
    w = wrapper_at(c, target);
    if (w == NULL)
        return -1;
    *tag_arg = w->param;
    *how = PT_TAG_HOW_WRAPPER;
    return w->api;
}

/* One instruction; *ends when the straight line ends. */
static pt_status arm64_step(cs *c, track *t, uint32_t ins, uint32_t rva, uint32_t func, int *ends)
{
    uint32_t rd = arm64_reg_d(ins), rn = arm64_reg_n(ins);
    val v;

    *ends = 0;
    val_clear(&v);
    if ((ins & 0x9F000000u) == 0x90000000u) { /* ADRP */
        uint64_t imm = (((uint64_t)(ins >> 5) & 0x7FFFF) << 2) | ((ins >> 29) & 3);
        v.kind = VAL_ADDR;
        v.value = (uint32_t)((rva & ~0xFFFu) + (uint32_t)(sign_extend(imm, 21) * 4096));
        arm64_set(t, rd, &v);
    } else if ((ins & 0xFF000000u) == 0x91000000u) { /* ADD Xd, Xn, #imm */
        uint64_t imm = (ins >> 10) & 0xFFF;
        if (ins & (1u << 22))
            imm <<= 12;
        if (rn < 31 && t->regs[rn].kind == VAL_ADDR) {
            v = t->regs[rn];
            v.value = (uint32_t)(v.value + imm);
        }
        arm64_set(t, rd, &v);
    } else if ((ins & 0xBFC00000u) == 0xB9400000u) { /* LDR Wt/Xt, [Xn, #off] */
        int is64 = (ins >> 30) & 1;
        uint64_t off = ((ins >> 10) & 0xFFF) * (is64 ? 8u : 4u);
        if (rn < 31 && t->regs[rn].kind == VAL_ADDR) {
            load_global(c, (uint32_t)(t->regs[rn].value + off), is64 ? 8 : 4, &v);
        } else if (is64 && c->wdf && rn < 31 && t->regs[rn].kind == VAL_LOADED) {
            size_t i;
            for (i = 0; i < WDF_API_COUNT; i++)
                if (off == wdf_apis[i].off64) {
                    v.kind = VAL_WDF;
                    v.api = (int)(POOL_API_COUNT + i);
                }
        }
        arm64_set(t, rd, &v);
    } else if ((ins & 0xBF000000u) == 0x18000000u) { /* LDR Wt/Xt, literal */
        int is64 = (ins >> 30) & 1;
        int64_t off = sign_extend((ins >> 5) & 0x7FFFF, 19) * 4;
        load_global(c, (uint32_t)((int64_t)rva + off), is64 ? 8 : 4, &v);
        arm64_set(t, rd, &v);
    } else if ((ins & 0x7F800000u) == 0x52800000u || (ins & 0x7F800000u) == 0x12800000u) {
        /* MOVZ / MOVN (32 or 64-bit) */
        uint64_t imm = (uint64_t)((ins >> 5) & 0xFFFF) << (16 * ((ins >> 21) & 3));
        v.kind = VAL_CONST;
        v.how = PT_TAG_HOW_IMMEDIATE;
        v.value = (ins & 0x40000000u) ? imm : ~imm;
        if (!(ins & 0x80000000u))
            v.value &= 0xFFFFFFFFu;
        arm64_set(t, rd, &v);
    } else if ((ins & 0x7F800000u) == 0x72800000u) { /* MOVK */
        unsigned shift = 16 * ((ins >> 21) & 3);
        if (rd < 31 && t->regs[rd].kind == VAL_CONST) {
            v = t->regs[rd];
            v.value = (v.value & ~(0xFFFFull << shift)) |
                      ((uint64_t)((ins >> 5) & 0xFFFF) << shift);
        }
        arm64_set(t, rd, &v);
    } else if ((ins & 0x7FE0FFE0u) == 0x2A0003E0u) { /* MOV Wd/Xd, Wm/Xm (ORR) */
        uint32_t rm = (ins >> 16) & 31;
        if (rm == 31) {
            v.kind = VAL_CONST;
            v.how = PT_TAG_HOW_IMMEDIATE;
        } else {
            v = t->regs[rm];
        }
        arm64_set(t, rd, &v);
    } else if ((ins & 0x7C000000u) == 0x14000000u) { /* B / BL */
        int is_call = (ins >> 31) & 1, tag_arg = 0;
        uint32_t target = (uint32_t)((int64_t)rva + sign_extend(ins & 0x3FFFFFF, 26) * 4);
        const char *how;
        int api = arm64_direct_api(c, target, &tag_arg, &how);
        if (api >= 0) {
            pt_status st = on_api_call(c, t, api, how, tag_arg, func, rva, !is_call);
            if (st != PT_OK)
                return st;
        }
        if (is_call)
            arm64_kill_volatile(t);
        else
            *ends = 1;
    } else if ((ins & 0xFFDFFC1Fu) == 0xD61F0000u) { /* BR / BLR */
        int is_call = (ins >> 21) & 1;
        if (!c->wrapper_pass && rn < 31 &&
            (t->regs[rn].kind == VAL_IMPORT || t->regs[rn].kind == VAL_WDF)) {
            int api = t->regs[rn].api;
            pt_status st = on_api_call(c, t, api, NULL, api_tag_arg(c, api), func, rva,
                                       !is_call);
            if (st != PT_OK)
                return st;
        }
        if (is_call)
            arm64_kill_volatile(t);
        else
            *ends = 1;
    } else if ((ins & 0xFFFFFC1Fu) == 0xD65F0000u) { /* RET */
        *ends = 1;
    } else if ((ins & 0x0A000000u) == 0x08000000u) { /* loads and stores */
        if (ins & (1u << 22)) {
            arm64_kill(t, rd);
            if ((ins & 0x3A000000u) == 0x28000000u) /* LDP: second register */
                arm64_kill(t, (ins >> 10) & 31);
        }
    } else if ((ins & 0x1C000000u) == 0x14000000u) {
        /* other branches and system instructions: nothing written we track */
    } else {
        arm64_kill(t, rd); /* data processing writes Rd */
    }
    return PT_OK;
}

/* Decodes [begin, end) of an ARM64 code section; a function starts at
 * each entry of c->starts. */
static pt_status arm64_decode_range(cs *c, uint32_t begin, uint32_t end)
{
    const uint8_t *p;
    size_t avail = pe_rva_span(&c->ctx->img, begin, &p), off;
    size_t next_start = 0;
    uint32_t cur_func = function_start_of(c, begin, begin);
    track t;

    if ((uint64_t)end - begin < avail)
        avail = end - begin;
    track_reset(&t, ARCH_ARM64, 1);
    while (next_start < c->start_count && c->starts[next_start] < begin)
        next_start++;
    for (off = 0; off + 4 <= avail; off += 4) {
        uint32_t rva = begin + (uint32_t)off;
        int ends;
        pt_status st;
        while (next_start < c->start_count && c->starts[next_start] <= rva) {
            if (c->starts[next_start] == rva) {
                track_reset(&t, ARCH_ARM64, 1);
                cur_func = rva;
            }
            next_start++;
        }
        st = arm64_step(c, &t, pt_le32(p + off), rva, cur_func, &ends);
        if (st != PT_OK)
            return st;
        if (ends)
            track_reset(&t, ARCH_ARM64, 0);
    }
    return PT_OK;
}

/* Import thunks (adrp xN; ldr xN, [xN, #off]; br xN) and function starts
 * (entry point, .pdata, BL targets). */
static pt_status arm64_prepare(cs *c)
{
    const pe_image *img = &c->ctx->img;
    uint16_t si;
    pt_status st;

    if (img->entry_point != 0) {
        st = push_u32(&c->starts, &c->start_count, &c->start_cap, img->entry_point, c->err,
                      img->file);
        if (st != PT_OK)
            return st;
    }
    if (img->dir_count > PE_DIR_EXCEPTION && img->dirs[PE_DIR_EXCEPTION].rva != 0) {
        /* ARM64 RUNTIME_FUNCTION: {BeginAddress, UnwindData}, 8 bytes. */
        uint32_t count = img->dirs[PE_DIR_EXCEPTION].size / 8, i;
        const uint8_t *pd = pe_rva_ptr(img, img->dirs[PE_DIR_EXCEPTION].rva, (size_t)count * 8);
        for (i = 0; pd != NULL && i < count; i++) {
            st = push_u32(&c->starts, &c->start_count, &c->start_cap, pt_le32(pd + 8 * i),
                          c->err, img->file);
            if (st != PT_OK)
                return st;
        }
    }
    for (si = 0; si < img->section_count; si++) {
        const pe_section *s = &img->sections[si];
        const uint8_t *p;
        size_t avail, off;
        if (!pe_section_is_code(s))
            continue;
        avail = pe_rva_span(img, s->virtual_address, &p);
        for (off = 0; off + 4 <= avail; off += 4) {
            uint32_t ins = pt_le32(p + off), rva = s->virtual_address + (uint32_t)off;
            if ((ins & 0xFC000000u) == 0x94000000u) { /* BL */
                uint32_t target = (uint32_t)((int64_t)rva + sign_extend(ins & 0x3FFFFFF, 26) * 4);
                const pe_section *ts = pe_section_of_rva(img, target);
                if (ts != NULL && pe_section_is_code(ts)) {
                    st = push_u32(&c->starts, &c->start_count, &c->start_cap, target, c->err,
                                  img->file);
                    if (st != PT_OK)
                        return st;
                }
            }
            if (off + 12 <= avail && (ins & 0x9F000000u) == 0x90000000u) {
                uint32_t ldr = pt_le32(p + off + 4), br = pt_le32(p + off + 8);
                uint32_t reg = arm64_reg_d(ins);
                if ((ldr & 0xFFC00000u) == 0xF9400000u && arm64_reg_n(ldr) == reg &&
                    arm64_reg_d(ldr) == reg && (br & 0xFFFFFC1Fu) == 0xD61F0000u &&
                    arm64_reg_n(br) == reg) {
                    uint64_t imm = (((uint64_t)(ins >> 5) & 0x7FFFF) << 2) | ((ins >> 29) & 3);
                    uint32_t page = (uint32_t)((rva & ~0xFFFu) + (uint32_t)(sign_extend(imm, 21) * 4096));
                    int api = api_of_slot(c, page + ((ldr >> 10) & 0xFFF) * 8);
                    if (api >= 0) {
                        st = add_thunk(c, rva, api);
                        if (st != PT_OK)
                            return st;
                    }
                }
            }
        }
    }
    if (c->start_count > 1) {
        size_t i, n = 1;
        qsort(c->starts, c->start_count, sizeof *c->starts, u32_cmp);
        for (i = 1; i < c->start_count; i++)
            if (c->starts[i] != c->starts[n - 1])
                c->starts[n++] = c->starts[i];
        c->start_count = n;
    }
    return PT_OK;
}

static pt_status arm64_decode_all(cs *c)
{
    const pe_image *img = &c->ctx->img;
    uint16_t si;
    pt_status st = PT_OK;
    for (si = 0; si < img->section_count && st == PT_OK; si++) {
        const pe_section *s = &img->sections[si];
        if (pe_section_is_code(s))
            st = arm64_decode_range(c, s->virtual_address, s->virtual_address + s->raw_size);
    }
    return st;
}

pt_status pe_find_callsites(pe_ctx *ctx, pt_error *err)
{
    const pe_image *img = &ctx->img;
    struct pt_driver_record *rec = ctx->rec;
    int any = 0;
    size_t i;
    uint16_t si;
    pt_status st = PT_OK;
    cs c;

    if (img->machine != PE_MACHINE_AMD64 && img->machine != PE_MACHINE_I386 &&
        img->machine != PE_MACHINE_ARM64) {
        rec->analysis_note = "call sites not decoded for this machine (x86, x64 and ARM64 only)";
        return PT_OK;
    }
    memset(&c, 0, sizeof c);
    c.ctx = ctx;
    c.err = err;
    c.arm64 = img->machine == PE_MACHINE_ARM64;
    c.is64 = img->machine != PE_MACHINE_I386;
    c.width = c.is64 ? 8 : 4;
    if (!c.arm64 && !ZYAN_SUCCESS(ZydisDecoderInit(&c.dec,
                                       c.is64 ? ZYDIS_MACHINE_MODE_LONG_64
                                              : ZYDIS_MACHINE_MODE_LEGACY_32,
                                       c.is64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32)))
        return pt_error_set(err, PT_ERR_INTERNAL, img->file, PT_NO_OFFSET,
                            "cannot initialise the x86 decoder");
    c.slot_api = malloc((ctx->slot_count ? ctx->slot_count : 1) * sizeof *c.slot_api);
    if (c.slot_api == NULL)
        return pt_error_set(err, PT_ERR_NOMEM, img->file, PT_NO_OFFSET, "out of memory");
    for (i = 0; i < ctx->slot_count; i++) {
        const pt_driver_import *imp = &rec->imports[ctx->slots[i].import_index];
        c.slot_api[i] = lookup_pool_api(imp->name);
        if (c.slot_api[i] >= 0)
            any = 1;
        if (imp->name != NULL && strcmp(imp->name, "WdfVersionBind") == 0)
            c.wdf = any = 1;
    }
    if (!any && !ctx->opt->force_decode) {
        rec->analysis_note = "no pool-tag APIs imported (no direct call-site evidence)";
        goto out;
    }
    if (c.arm64) {
        st = arm64_prepare(&c);
        if (st == PT_OK)
            st = arm64_decode_all(&c);
        if (st == PT_OK && c.wrapper_count > 0) {
            c.wrapper_pass = 1;
            st = arm64_decode_all(&c);
        }
        goto out;
    }
    for (si = 0; si < img->section_count; si++) {
        if (!pe_section_is_code(&img->sections[si]))
            continue;
        st = find_thunks(&c, &img->sections[si]);
        if (st != PT_OK)
            goto out;
    }
    if (!c.is64 || img->dir_count <= PE_DIR_EXCEPTION || img->dirs[PE_DIR_EXCEPTION].rva == 0) {
        st = collect_starts(&c);
        if (st != PT_OK)
            goto out;
    }
    target_range(&c);
    c.budget = decode_budget(img);
    st = decode_all(&c);
    if (st == PT_OK && c.wrapper_count > 0) {
        /* Second pass: constants passed to the wrappers found (one level). */
        c.wrapper_pass = 1;
        target_range(&c);
        c.budget = decode_budget(img);
        st = decode_all(&c);
    }
    if (c.out_of_budget)
        rec->analysis_note = "decoding stopped early: function table covers the code many "
                             "times over (malformed or hostile .pdata)";
out:
    cs_free(&c);
    return st;
}
