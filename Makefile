# The front door.  `make run` runs the main job, `make test` every test.
# The real build is CMake (CMakeLists.txt); this file only sequences it.
BUILD       ?= build
BUILD_ASAN  ?= build-asan
BUILD_CLANG ?= build-clang
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX      ?= /usr/local
CMAKE_FLAGS ?=
# New trees use Ninja (scripts/install-deps.sh installs ninja-build): less
# CPU than Makefiles for the same build (README "Suite time").  CMake reads
# CMAKE_GENERATOR only when it creates a tree; one made before keeps its own.
export CMAKE_GENERATOR ?= Ninja

.PHONY: all deps build run test test-unit test-asan test-clang test-fuzz test-vm install install-built clean \
	stress-host build-asan build-clang build-fuzz ctest-unit ctest-asan

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null

# Every tree builds quietly: $(call quiet_build,DIR) prints one progress
# line and keeps the compiler's output in DIR/build.log, shown only when
# the build fails.
quiet_build = echo "make: building $(1)/ (log: $(1)/build.log)" >&2; \
	cmake --build $(1) -j $(JOBS) >$(1)/build.log 2>&1 || \
		{ cat $(1)/build.log; echo "make: the build of $(1)/ failed; log above" >&2; exit 1; }
build: $(BUILD)/CMakeCache.txt
	@$(call quiet_build,$(BUILD))

# The main job: the scenario gallery as a table, one row per file
# (story, file, kernel, arch, verdict, summary); a file with vary lines is
# explored, every case, and judged by the counts its `#: cases` line states
# (docs/scenario-language.md, "Table lines").
run: build
	@$(BUILD)/faultline run --table scenarios/*/*.fl

# Every pass of the four below, and every test in one of them.  A CTest
# pass leaves about a quarter of the two cores idle (its tests wait on
# scenario processes, the kernel, QEMU), so the next trees build beside
# the running tests at the lowest priority (nice 19: they take the CPU the
# tests leave and little else): the ASan tree beside the gcc tests, the
# fuzz harnesses and the clang tree beside the ASan tests (the fuzzers
# then have the two cores to themselves).  Once the tests they ran beside are
# over, a build still running gets its priority back (renice of make's
# process group, where allowed, e.g. as root): on a machine that other
# work loads, a nice 19 build would wait for that work.  A failing pass
# does not stop the others; the last line names every pass that failed.
unnice = renice -n 0 -g $$(cut -d' ' -f5 /proc/$$$$/stat) >/dev/null 2>&1 || :
test: build
	@fail=""; \
	nice -n 19 $(MAKE) -s build-asan & asan=$$!; \
	$(MAKE) -s ctest-unit || fail="$$fail test-unit"; \
	$(unnice); \
	asan_built=1; wait $$asan || { asan_built=0; fail="$$fail build-asan"; }; \
	nice -n 19 $(MAKE) -s build-fuzz & fuzz=$$!; \
	nice -n 19 $(MAKE) -s build-clang & clang=$$!; \
	[ $$asan_built = 0 ] || $(MAKE) -s ctest-asan || fail="$$fail test-asan"; \
	$(unnice); \
	wait $$clang || fail="$$fail test-clang"; \
	if wait $$fuzz; then $(MAKE) -s test-fuzz || fail="$$fail test-fuzz"; \
	else fail="$$fail build-fuzz"; fi; \
	[ -z "$$fail" ] || { echo "make test: failed:$$fail" >&2; exit 1; }

test-unit: build
	@$(MAKE) -s ctest-unit

# The ctest of a tree already built (make test builds it beforehand).
ctest-unit:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer,
# but for the tests labelled `once` (CMakeLists.txt: the QEMU guests and
# the arm64 cross build, whose checks gcc's pass has made; README "Suite
# time").  ASAN_CTEST_FLAGS= runs those too.  The cross-built guest
# programs are build/'s business (FL_GUEST_CROSS).
ASAN_CTEST_FLAGS ?= -LE once
test-asan: build-asan
	@$(MAKE) -s ctest-asan

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DFL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DFL_GUEST_CROSS=OFF >/dev/null
	@$(call quiet_build,$(BUILD_ASAN))

ctest-asan:
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) $(ASAN_CTEST_FLAGS)

# Both compilers must build warning-free (-Werror); gcc builds above.
# The guest programs clang compiles (x86_64's) are built; the cross ones
# are not clang's.  Built for its warnings alone, so unoptimised and
# without debug information (build type None), which takes a fifth less
# CPU: clang warns from its front end, the same at -O0 as at -O3.  NDEBUG
# as in gcc's tree, where an assert()'s variables must still be used.
test-clang: build-clang

build-clang: deps
	@CC=clang cmake -S . -B $(BUILD_CLANG) -DFL_TESTS=ON -DFL_GUEST_CROSS=OFF \
		-DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS=-DNDEBUG >/dev/null
	@$(call quiet_build,$(BUILD_CLANG))

# libFuzzer over the parser and the runner for FUZZ_SECONDS in all
# (tests/fuzz/run.sh, docs/fuzzing.md); fails on a crash, leak or hang.
FUZZ_SECONDS ?= 60
BUILD_FUZZ   ?= build-fuzz
test-fuzz: deps
	FL_FUZZ_BUILD=$(BUILD_FUZZ) sh tests/fuzz/run.sh $(FUZZ_SECONDS)

build-fuzz: deps
	@FL_FUZZ_BUILD=$(BUILD_FUZZ) sh tests/fuzz/run.sh --build

# On demand, not in `make test`: the host corpus through `faultline diff`
# STRESS_ROUNDS times, STRESS_JOBS at once, under ASan (docs/host.md).
STRESS_ROUNDS ?= 50
STRESS_JOBS   ?= 4
stress-host: deps
	cmake -S . -B $(BUILD_ASAN) -DFL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		sh scripts/stress-host.sh $(BUILD_ASAN)/faultline $(STRESS_ROUNDS) $(STRESS_JOBS)

# Real kernels under QEMU (docs/vm.md): the whole Rutland matrix on all six
# arm64 and amd64 Debian kernels and the watchdog's hung guest, then on
# every i386, armhf and riscv64 one (tests/cli/vm_arch.sh).  `make test`
# runs the smoke part of the same scripts.
test-vm: build
	FL_VM_FULL=1 sh tests/cli/vm.sh $(BUILD)/faultline
	FL_VM_FULL=1 sh tests/cli/vm_arch.sh $(BUILD)/faultline

# PREFIX of this call, not the one of the first configure.
install: build
	@$(MAKE) -s install-built

# What BUILD holds, as it is, with no build step: for packagers, and for
# tests/cli/install.sh, which must not relink the binaries that the rest
# of the suite is running from the same build directory.
install-built:
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_CLANG) $(BUILD_FUZZ)
