# SPDX-License-Identifier: Apache-2.0
# Thin wrapper over CMake. `make` builds everything (build/picoml); `make test` runs all tests in
# a Release build and in an ASan+UBSan build, plus a short fuzzing run; `make demo` runs the models.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
FUZZ_SECONDS ?= 60

PML_KERNELS ?= portable

.PHONY: all deps build asan test test-release test-asan fuzz fuzz-smoke demo clean
.PHONY: deps-arm deps-cross qemu-test qemu-test-all qemu-bench size-report qemu-train-test qemu-train-bench bench

all: build

deps:
	@sh scripts/install-deps.sh

# Cross compilers and QEMU for the bare-metal firmware (ports/): Cortex-M only, or Cortex-M + RISC-V.
deps-arm:
	@sh scripts/install-deps.sh --arm

deps-cross:
	@sh scripts/install-deps.sh --arm --riscv

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPML_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

fuzz-smoke: deps
	@sh scripts/fuzz.sh $(FUZZ_SECONDS)

test: build asan deps-arm
	@sh scripts/run_tests.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_SECONDS)

fuzz: deps
	@sh scripts/fuzz.sh 600

demo: build
	@sh scripts/demo.sh $(BUILD)/picoml

# ---- bare metal under QEMU (ports/, scripts/qemu.sh) -----------------------------------------------
# qemu-test: Cortex-M4 (mps2-an386), KWS, IC and AD on TFLM golden inputs 0, 1, 2 and pattern.
qemu-test: deps-arm
	@JOBS=$(JOBS) PML_KERNELS=$(PML_KERNELS) sh scripts/qemu.sh test

# qemu-test-all: the five int8 models on M4, M7, M55, M0+ (on an M3), rv32imac and rv32imafc.
qemu-test-all: deps-cross
	@JOBS=$(JOBS) PML_KERNELS=$(PML_KERNELS) sh scripts/qemu.sh test-all

# qemu-bench: instructions per inference per model and target -> bench/qemu_instructions.md
qemu-bench: deps-cross
	@JOBS=$(JOBS) PML_KERNELS=$(PML_KERNELS) sh scripts/qemu.sh bench

# bench: every speed benchmark in one run (bench/run_all.sh -> bench/latest.md): x86-64 callgrind
# instructions, Cortex-M4 QEMU instructions (DSP kernels) and wall time beside LiteRT. ~10 minutes.
bench: deps-cross build
	@sh scripts/install-deps.sh --bench
	@sh bench/run_all.sh $(BUILD)/picoml

# qemu-train-test: on-device training on Cortex-M4 (scripts/qemu_train_test.sh): a few SGD steps of the
# Fashion-MNIST CNN (float32) and of ad01_int8's op 8, the same on the host, compared value by value.
# qemu-train-bench: the same with instruction counts per training sample and per update.
qemu-train-test: deps-arm build
	@BUILD=$(BUILD) PML_KERNELS=$(PML_KERNELS) sh scripts/qemu_train_test.sh all

qemu-train-bench: deps-arm build
	@COUNT=1 BUILD=$(BUILD) PML_KERNELS=$(PML_KERNELS) sh scripts/qemu_train_test.sh all

# size-report: flash and RAM per model and target -> the size section of bench/RESULTS.md
size-report: deps-cross build
	@JOBS=$(JOBS) PML_KERNELS=$(PML_KERNELS) sh scripts/qemu.sh size-report

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-arm build-riscv build-qemu
