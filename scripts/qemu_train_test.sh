#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2086 # $cpu, $common, $warn, $defs are flag lists, split on purpose
# On-device training on Cortex-M4 (QEMU mps2-an386) vs the host: ports/common/fw_train.c runs a few
# SGD-momentum steps with pml_train on an embedded model and embedded samples; the same source runs
# on the host (-DPML_FW_HOST, linked with the host build's libpicoml.a); every training loss, the
# mean loss before/after and every trained value must agree (scripts/train_compare.py), and the mean
# loss must fall on both.
#   scripts/qemu_train_test.sh [TASK...]      TASK: fmnist (default), ad01, all
#   COUNT=1 scripts/qemu_train_test.sh ...    also count instructions per training sample and per
#                                             update (insncount plugin) and report them
# Each firmware lists only its model's kernels as the op set (PML_FW_TRAIN_KERNELS).
# Tasks:
#   fmnist  models/train/fmnist_cnn_f32.tflite, every layer, cross-entropy, batch 8, lr 0.03,
#           momentum 0.9 (benchmark 1's optimizer), the 32 Fashion-MNIST training images of
#           tests/train/data/fmnist_train32.bin (scripts/gen_train_fixture.py), 64 steps (2 epochs)
#   ad01    models/ad01_int8.tflite, int8, op 8 (FC 128->128) weights + bias, MSE autoencoder,
#           batch 8, lr 0.001, momentum 0.9 (benchmark 3's setting), the TFLM golden inputs 0, 1, 2
#           (tests/data/golden/ad01_int8.*.input.bin), 24 steps
# Environment: PML_KERNELS (default portable; see ports/Makefile), BUILD (host CMake build whose
# libpicoml.a the host twin links; default build), RTOL / ATOL (train_compare.py tolerance).
# Ends with "train_m4: N passed, M failed" (per task: firmware, host twin, agreement).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
COUNT=${COUNT:-0}
k=${PML_KERNELS:-portable}
BUILD=${BUILD:-build}
RTOL=${RTOL:-1e-4}
ATOL=${ATOL:-1e-6}
tasks=${*:-fmnist}
[ "$tasks" = all ] && tasks="fmnist ad01"

make -s -C "$root/ports" TARGET=m4 PML_KERNELS="$k" lib >/dev/null
[ "$COUNT" = 1 ] && make -s -C "$root/ports" plugin >/dev/null
b=$(make -s -C "$root/ports" TARGET=m4 PML_KERNELS="$k" print-build)
[ -f "$root/$BUILD/CMakeCache.txt" ] || cmake -S "$root" -B "$root/$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/$BUILD" -j2 --target picoml >/dev/null
hostlib=$root/$BUILD/libpicoml.a

cpu="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard"
common="$cpu --specs=nano.specs -O2 -g -ffunction-sections -fdata-sections"
warn="-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wdouble-promotion -Wstrict-prototypes -Wmissing-prototypes -Werror"
port=$root/ports/cortexm-qemu
CC=arm-none-eabi-gcc
HOSTCC=${HOSTCC:-cc}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

mkdir -p "$b/train"
$CC $common -std=gnu11 -Wall -Wextra -Wno-unused-parameter -I"$port" -I"$root/ports/common" \
  -c "$port/startup.c" -o "$b/train/startup.o"

for task in $tasks; do
  out=$b/train/$task
  mkdir -p "$out"
  case $task in
    fmnist)
      model=$root/models/train/fmnist_cnn_f32.tflite
      samples=$root/tests/train/data/fmnist_train32.bin
      kernels='&pml_kernel_conv2d,&pml_kernel_average_pool2d,&pml_kernel_reshape,&pml_kernel_fully_connected,&pml_kernel_softmax'
      defs="-DPML_FW_TRAIN_TASK=1 -DPML_FW_TRAIN_BATCH=8 -DPML_FW_TRAIN_LR=0.03f -DPML_FW_TRAIN_MOMENTUM=0.9f -DPML_FW_TRAIN_STEPS=64" ;;
    ad01)
      model=$root/models/ad01_int8.tflite
      samples=$out/samples.bin
      g=$root/tests/data/golden/ad01_int8
      cat "$g.0.input.bin" "$g.1.input.bin" "$g.2.input.bin" > "$samples"
      kernels='&pml_kernel_fully_connected'
      defs="-DPML_FW_TRAIN_TASK=2 -DPML_FW_TRAIN_LAYERS={8,3} -DPML_FW_TRAIN_BATCH=8 -DPML_FW_TRAIN_LR=0.001f -DPML_FW_TRAIN_MOMENTUM=0.9f -DPML_FW_TRAIN_STEPS=24" ;;
    *) echo "qemu_train_test: unknown task $task (fmnist, ad01, all)" >&2; exit 2 ;;
  esac
  name=$(basename "$model" .tflite)
  data_obj() { # data_obj OUTPUT.o COMPILER [FLAGS...]: the model and the samples (fw_train_data.S)
    o=$1; shift
    "$@" -DFW_MODEL_FILE="\"$model\"" -DFW_SAMPLES_FILE="\"$samples\"" -c "$root/ports/common/fw_train_data.S" -o "$o"
  }

  # ---- Cortex-M4: probe (exact training arena on the target), then the firmware ----
  data_obj "$out/data.o" $CC $cpu
  fw() { # fw OUTPUT.elf EXTRA-DEFINES...
    elf=$1; shift
    $CC $common $warn -I"$root/include" -I"$root/ports/common" $defs -DPML_FW_TRAIN_KERNELS="$kernels" "$@" -DPML_FW_NAME="\"$name\"" \
      -DPML_FW_TARGET='"m4"' -c "$root/ports/common/fw_train.c" -o "${elf%.elf}.o"
    $CC $cpu --specs=nano.specs -nostartfiles -T "$port/mps2.ld" -L"$port" -Wl,--gc-sections -o "$elf" \
      "${elf%.elf}.o" "$out/data.o" "$b/train/startup.o" "$b/lib/libpicoml.a" -lm \
      -Wl,-Map="${elf%.elf}.map" -Wl,--cref
  }
  fw "$out/probe.elf" -DPML_FW_PROBE
  COUNT=0 "$root/ports/qemu-run.sh" m4 "$out/probe.elf" > "$out/probe.log" 2>&1 || true
  arena=$(sed -n 's/^train_arena_bytes \([0-9]*\).*/\1/p' "$out/probe.log")
  if [ -z "$arena" ] || ! grep -q '^RESULT PROBE' "$out/probe.log"; then
    cat "$out/probe.log"; ko "$task: m4 probe"; fail=$((fail + 2)); continue
  fi
  elf=$out/fw_train_$task.elf
  fw "$elf" -DPML_FW_TRAIN_ARENA_BYTES="$arena"
  sh "$root/scripts/check_fw_link.sh" arm-none-eabi-nm "$elf" "${elf%.elf}.map"
  arm-none-eabi-size "$elf" | awk -v n="$(basename "$elf")" -v a="$arena" 'NR==2 {
    printf "%s: flash %d B (text+rodata+data), RAM %d B static (data+bss; training arena %d B) + stack\n", n, $1 + $2, $2 + $3, a}'
  model_b=$(wc -c < "$model"); samples_b=$(wc -c < "$samples")
  arm-none-eabi-size "$elf" | awk -v m="$model_b" -v s="$samples_b" 'NR==2 {
    printf "  flash = model %d B + samples %d B + code, constants and .data %d B\n", m, s, $1 + $2 - m - s}'

  # ---- host twin ----
  hcc() { # hcc OUTPUT EXTRA-DEFINES...
    exe=$1; shift
    $HOSTCC -O2 $warn -I"$root/include" -I"$root/ports/common" -DPML_FW_HOST $defs -DPML_FW_TRAIN_KERNELS="$kernels" "$@" \
      -DPML_FW_NAME="\"$name\"" -DPML_FW_TARGET='"host"' -o "$exe" "$root/ports/common/fw_train.c" \
      "$root/ports/common/board_host.c" "$out/host_data.o" "$hostlib" -lm
  }
  data_obj "$out/host_data.o" $HOSTCC
  hcc "$out/host_probe" -DPML_FW_PROBE
  harena=$("$out/host_probe" | sed -n 's/^train_arena_bytes \([0-9]*\).*/\1/p')
  hcc "$out/host_train" -DPML_FW_TRAIN_ARENA_BYTES="$harena"
  if "$out/host_train" > "$out/host.log" 2>&1 && grep -q '^RESULT PASS' "$out/host.log"; then
    ok "$task: host twin ($(sed -n 's/^train_arena_bytes \([0-9]*\).*/\1/p' "$out/host.log") B arena)"
  else
    grep -v '^v ' "$out/host.log" | tail -n 20; ko "$task: host twin (log: $out/host.log)"
  fi

  # ---- run on the Cortex-M4 ----
  log=$out/m4.log
  start=$(date +%s)
  if [ "$COUNT" = 1 ]; then
    COUNT=1 PLUGIN="$root/build-qemu/libinsncount.so" TIMEOUT=${TIMEOUT:-600} \
      "$root/ports/qemu-run.sh" m4 "$elf" > "$log" 2>&1 && rc=0 || rc=$?
  else
    COUNT=0 TIMEOUT=${TIMEOUT:-300} "$root/ports/qemu-run.sh" m4 "$elf" > "$log" 2>&1 && rc=0 || rc=$?
  fi
  secs=$(($(date +%s) - start))
  grep -E '^(train_arena_bytes|params|samples|stack_peak|RESULT|FAIL)|MISMATCH' "$log" | sed 's/^/  /'
  if [ "$rc" -eq 0 ] && grep -q '^RESULT PASS' "$log"; then
    ok "$task: m4 firmware ($arena B training arena, ran in ${secs} s)"
  else
    grep -v '^v ' "$log" | tail -n 20; ko "$task: m4 firmware (exit $rc; log: $log)"
  fi
  if [ "$COUNT" = 1 ]; then
    # firmware lines "region R sample S" / "region R update U" / "region R eval S" name the plugin's
    # "insncount: region R"; every count minus region 0 (empty: the markers' own instructions)
    awk -v task="$task" '
      function stat(what, v) { c[what]++; s[what] += v; if (!(what in lo) || v < lo[what]) lo[what] = v; if (v > hi[what]) hi[what] = v }
      $1 == "insncount:" && $2 == "region" {n[$3] = $5}
      $1 == "region" && $3 != "empty" {kind[$2] = $3}
      $1 == "samples" {batch = $6}
      END {
        for (r in kind) if (r in n) stat(kind[r], n[r] - n[0])
        if (!c["sample"] || !c["update"] || !c["eval"]) { print "insncount: no region counts"; exit }
        printf "instructions (Cortex-M4, insncount, %s):\n", task
        printf "  training sample (pml_train_sample: forward + loss + backward + accumulate): mean %.0f over %d (min %.0f, max %.0f)\n", s["sample"] / c["sample"], c["sample"], lo["sample"], hi["sample"]
        printf "  update (pml_train_update, batch %d): mean %.0f over %d (min %.0f, max %.0f) = %.0f per sample\n", batch, s["update"] / c["update"], c["update"], lo["update"], hi["update"], s["update"] / c["update"] / batch
        printf "  per training sample incl. its share of the update: %.0f\n", s["sample"] / c["sample"] + s["update"] / c["update"] / batch
        printf "  forward + loss alone (pml_train_loss): mean %.0f over %d (min %.0f, max %.0f)\n", s["eval"] / c["eval"], c["eval"], lo["eval"], hi["eval"]
      }' "$log" | tee "$out/insns.txt"
  fi

  # ---- host vs M4 ----
  if python3 "$root/scripts/train_compare.py" "$out/host.log" "$log" --rtol "$RTOL" --atol "$ATOL"; then
    ok "$task: m4 vs host, training losses and trained values"
  else
    ko "$task: m4 vs host (logs: $out/host.log $log)"
  fi
done
echo "train_m4: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
