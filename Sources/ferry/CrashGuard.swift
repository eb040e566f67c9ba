#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What happens when Ferry crashes: no core file, a one-line notice, and death by the signal.
///
/// The Swift runtime's backtracer prints registers and memory (which may hold secret values)
/// and, when the signal is sent from outside, lets the process carry on. ``install()`` replaces it
/// before anything else runs: core dumps are switched off (`RLIMIT_CORE` 0 and, on Linux, not
/// dumpable), and each crash signal gets a handler that writes `ferry: crashed (signal N)` with
/// write(2), restores the default action and raises the signal again, so the process ends with
/// that signal (a shell sees 128+N).
enum CrashGuard {
    static let signals: [Int32] = [SIGSEGV, SIGABRT, SIGBUS, SIGQUIT, SIGILL, SIGFPE, SIGTRAP]

    static func install() {
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        #if os(Linux)
        _ = setDumpable(4 /* PR_SET_DUMPABLE */, 0, 0, 0, 0)
        #endif
        // A parent may have left them blocked (a child of a libdispatch thread inherits its mask).
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        _ = pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for signal in signals { handle(signal, with: crashed) }
    }
}

/// Sets `handler` (or `SIG_DFL`) as the action of `signal`; async-signal-safe (sigaction only).
private func handle(_ signal: Int32, with handler: (@convention(c) (Int32) -> Void)?) {
    var action = sigaction()
    #if os(Linux)
    action.__sigaction_handler.sa_handler = handler
    #else
    action.__sigaction_u.__sa_handler = handler
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    _ = sigaction(signal, &action, nil)
}

#if os(Linux)
/// prctl(2) (not in Swift's Glibc module); its arguments are machine words.
@_silgen_name("prctl")
private func setDumpable(_ option: Int32, _ value: UInt, _ unused3: UInt, _ unused4: UInt, _ unused5: UInt) -> Int32
#endif

/// The handler: async-signal-safe calls only (write, sigaction, raise).
private func crashed(_ signal: Int32) {
    // "ferry: crashed (signal NN)\n" built without allocating.
    var text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
               UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0x66, 0x65, 0x72, 0x72, 0x79, 0x3A, 0x20, 0x63, 0x72, 0x61, 0x73, 0x68, 0x65, 0x64, 0x20, 0x28, // "ferry: crashed ("
         0x73, 0x69, 0x67, 0x6E, 0x61, 0x6C, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0) // "signal "
    withUnsafeMutableBytes(of: &text) { buffer in
        var count = 23
        let number = Int(signal)
        if number >= 10 {
            buffer[count] = UInt8(0x30 + (number / 10) % 10)
            count += 1
        }
        buffer[count] = UInt8(0x30 + number % 10)
        buffer[count + 1] = 0x29  // ")"
        buffer[count + 2] = 0x0A  // "\n"
        _ = write(2, buffer.baseAddress, count + 3)
    }
    handle(signal, with: SIG_DFL)
    // The signal is blocked while its handler runs; raise() leaves it pending and it is delivered,
    // with the default action, once the handler returns (for a fault, the instruction faults again).
    _ = raise(signal)
}
