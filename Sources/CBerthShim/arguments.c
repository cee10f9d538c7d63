// The process's arguments for Swift's `CommandLine`, captured for free at start-up.
//
// The Swift runtime finds argv on Linux with a static constructor that reads /proc/self/maps to
// locate the stack and walks back from `environ` (stdlib/public/CommandLineSupport/CommandLine.cpp):
// about 80 µs of every berth process, which a runtime pays once per container. glibc already
// hands argc and argv to every constructor of the executable, so this file captures them there
// and provides the two runtime entry points that object file defines. The linker then takes
// these definitions and never pulls the runtime's object (with its constructor) into berth.
// Both keep the runtime's contract: the first returns argv and its count, the second overrides
// them (used by the REPL and JIT, never by berth, and honoured all the same).

static char **captured_argv;
static int captured_argc;
static char **override_argv;
static int override_argc;

__attribute__((constructor))
static void berth_capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    captured_argc = argc;
    captured_argv = argv;
}

__attribute__((swiftcall, used))
char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    if (override_argv) {
        *outArgLen = override_argc;
        return override_argv;
    }
    static char *empty[] = { 0 };
    *outArgLen = captured_argv ? captured_argc : 0;
    return captured_argv ? captured_argv : empty;
}

__attribute__((swiftcall, used))
void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    override_argv = argv;
    override_argc = argc;
}
