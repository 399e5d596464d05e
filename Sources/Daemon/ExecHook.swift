import CProcessShims
import Foundation

/// Runs one `exec=` hook: the program and arguments exactly as feeds.conf wrote them (no
/// shell), the article's JSON on stdin, a few `AGGREGATOR_*` variables — never text from
/// the feed in the arguments or the environment — in a process group of its own that is
/// killed at the timeout. Blocking work happens on a thread of its own, not the pool's.
public enum ExecHook {
    public struct Outcome: Sendable, Equatable {
        /// The exit status, when it exited.
        public var status: Int32?
        /// The signal that ended it, when one did.
        public var signal: Int32?
        public var timedOut = false
        /// Why it could not be started (`No such file or directory`).
        public var startError: String?
        /// The start of what it wrote on stdout and stderr (for the log when it fails).
        public var output = ""

        public var succeeded: Bool { status == 0 && !timedOut }

        /// `exit status 3: <output>`, `killed after 30 s`, … for the log and `aggregator hooks`.
        public var problem: String? {
            if succeeded { return nil }
            let said = output.isEmpty ? "" : ": " + output.replacingOccurrences(of: "\n", with: " ").prefix(300)
            if let startError { return "could not start: \(startError)" }
            if timedOut { return "did not finish in time; stopped\(said)" }
            if let signal { return "killed by signal \(signal)\(said)" }
            return "exit status \(status ?? -1)\(said)"
        }
    }

    /// The longest output kept.
    static let outputLimit = 4096

    public static func run(_ argv: [String], input: [UInt8], environment: [String: String],
                           timeout: TimeInterval) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: runBlocking(argv, input: input, environment: environment, timeout: timeout))
            }
            thread.name = "aggregator-hook"
            thread.start()
        }
    }

    /// A broken pipe to a program that did not read its input is an error of that write,
    /// not a signal that ends the daemon.
    private static let sigpipeIgnored: Void = { signal(SIGPIPE, SIG_IGN); return () }()

    static func runBlocking(_ argv: [String], input: [UInt8], environment: [String: String],
                            timeout: TimeInterval) -> Outcome {
        _ = sigpipeIgnored
        var outcome = Outcome()
        // Close-on-exec is set after pipe(2) (Swift's Glibc has no pipe2); a program started
        // meanwhile by another hook still gets none of them: spawn_hook.c closes every
        // descriptor above 2 in the child.
        var inputPipe: [Int32] = [-1, -1], outputPipe: [Int32] = [-1, -1]
        guard pipe(&inputPipe) == 0 else { return failed(&outcome, errno) }
        guard pipe(&outputPipe) == 0 else {
            close(inputPipe[0]); close(inputPipe[1])
            return failed(&outcome, errno)
        }
        for fd in inputPipe + outputPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var pid: Int32 = 0
        let variables = environment.map { "\($0.key)=\($0.value)" }
        // ETXTBSY is passing: the program is being written (an editor saving it, or a
        // descriptor to it that another process's fork inherited for a moment).
        var started: Int32 = ETXTBSY
        for attempt in 0..<5 where started == ETXTBSY {
            if attempt > 0 { usleep(50_000 << UInt32(attempt - 1)) }
            started = withCStrings(argv) { argvPointers in
                withCStrings(variables) { envPointers in
                    aggregator_spawn_hook(argv[0], argvPointers, envPointers, inputPipe[0], outputPipe[1], &pid)
                }
            }
        }
        close(inputPipe[0])
        close(outputPipe[1])
        guard started == 0 else {
            close(inputPipe[1]); close(outputPipe[0])
            return failed(&outcome, started)
        }
        // The input on a thread of its own: a program may write before it reads.
        let inputEnd = inputPipe[1]
        let writer = Thread {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(inputEnd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 { if errno == EINTR { continue } else { break } }
                    offset += written
                }
            }
            close(inputEnd)
        }
        writer.start()
        let output = OutputCollector(fd: outputPipe[0], limit: outputLimit)
        let reader = Thread { output.readToEnd() }
        reader.start()

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var finished = false
        while Date() < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { finished = true; break }
            if result < 0 && errno != EINTR { break }
            usleep(5_000)
        }
        if !finished {
            outcome.timedOut = true
            kill(-pid, SIGTERM)
            let grace = Date().addingTimeInterval(2)
            while Date() < grace, waitpid(pid, &status, WNOHANG) == 0 { usleep(10_000) }
            if waitpid(pid, &status, WNOHANG) == 0 {
                kill(-pid, SIGKILL)
                waitpid(pid, &status, 0)
            }
        }
        // What the group's other processes still hold open must not keep the reader waiting.
        kill(-pid, SIGKILL)
        output.waitUntilDone(timeout: 1)
        if (status & 0x7F) == 0 {
            outcome.status = (status >> 8) & 0xFF
        } else {
            outcome.signal = status & 0x7F
        }
        outcome.output = output.text
        return outcome
    }

    private static func failed(_ outcome: inout Outcome, _ code: Int32) -> Outcome {
        outcome.startError = String(cString: strerror(code))
        return outcome
    }

    /// NULL-terminated C strings for the duration of `body`.
    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

/// Reads a pipe to its end, keeping the first `limit` bytes.
final class OutputCollector: @unchecked Sendable {  // `bytes` and `done` only under `lock`
    private let fd: Int32
    private let limit: Int
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
    }

    func readToEnd() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            lock.withLock {
                let room = max(0, limit - bytes.count)
                bytes.append(contentsOf: buffer.prefix(min(count, room)))
            }
        }
        close(fd)
        done.signal()
    }

    func waitUntilDone(timeout: TimeInterval) {
        _ = done.wait(timeout: .now() + timeout)
    }

    var text: String {
        lock.withLock { String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
