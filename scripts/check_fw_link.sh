#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_fw_link.sh NM FIRMWARE.elf FIRMWARE.map: fail if the linked firmware contains an allocator
# or stdio at all (malloc, free, _sbrk, printf, puts, fwrite, ...), naming from the map's cross
# reference table (-Wl,--cref) the objects that pulled each one in. The firmware's board support
# has no _sbrk/_write on purpose, so newlib's malloc or stdio could not even link; this check makes
# the reason explicit. That picoml's own objects need none of it is check_target_symbols.sh.
# Second check: a firmware whose op kernels are all int8-only (pml_kernel_*_s8) or type-agnostic
# (RESHAPE, SQUEEZE, EXPAND_DIMS) must contain no float32 or hybrid kernel (pml_*f32*, pml_*hybrid*,
# the op glue's eval_*f32* / eval_*hybrid*): the int8-only kernels exist so that the linker drops them.
set -eu
NM=${1:?usage: check_fw_link.sh NM fw.elf fw.map}
elf=${2:?usage: check_fw_link.sh NM fw.elf fw.map}
map=${3:?usage: check_fw_link.sh NM fw.elf fw.map}
# who defines or references symbol $1, from the link map's cross reference table
xref() {
  awk -v s="$1" '/^Cross Reference Table/ {t=1; next}
    t && $1==s {p=1; print "    " $2; next}
    t && p && /^[^ ]/ {p=0}
    t && p {print "    " $1}' "$map"
}

forbidden='malloc|free|calloc|realloc|_malloc_r|_free_r|_calloc_r|_realloc_r|__malloc_lock|_sbrk|_sbrk_r|sbrk|brk|printf|_printf_r|iprintf|vprintf|fprintf|vfprintf|_vfprintf_r|_vfiprintf_r|sprintf|snprintf|vsnprintf|_svfprintf_r|puts|_puts_r|fputs|putchar|fputc|fwrite|_fwrite_r|fflush|_fflush_r|__sfvwrite_r|__swsetup_r|stdout|stderr|_write|_write_r|abort|exit|atexit|__cxa_atexit|__call_exitprocs'
found=$("$NM" "$elf" | awk 'NF==3 && $2 ~ /^[TtDdBbWwVv]$/ {print $3}' | grep -E "^($forbidden)\$" | sort -u || true)
if [ -n "$found" ]; then
  echo "fw link check: $(basename "$elf") contains: $(echo "$found" | tr '\n' ' ')"
  for s in $found; do
    echo "  $s: defined/referenced by (cross reference table):"
    xref "$s"
  done
  exit 1
fi

syms=$("$NM" "$elf" | awk 'NF==3 && $2 ~ /^[TtRrDd]$/ {print $3}' | sort -u)
kernels=$(echo "$syms" | grep -E '^pml_kernel_' || true)
full=$(echo "$kernels" | grep -vE '^pml_kernel_([a-z0-9_]*_s8|fully_connected_s8_packed|reshape|squeeze|expand_dims)$' || true)
if [ -n "$kernels" ] && [ -z "$full" ]; then
  float=$(echo "$syms" | grep -E '^(pml_[a-z0-9][a-z0-9_]*|eval_[a-z0-9_]*)(f32|hybrid)' || true)
  if [ -n "$float" ]; then
    echo "fw link check: $(basename "$elf") has only int8 kernels ($(echo $kernels)) but contains float/hybrid code: $(echo "$float" | tr '\n' ' ')"
    for s in $float; do
      echo "  $s: defined/referenced by (cross reference table):"
      xref "$s"
    done
    exit 1
  fi
  echo "fw link check: $(basename "$elf"): int8-only kernels, no float/hybrid kernel linked"
fi
