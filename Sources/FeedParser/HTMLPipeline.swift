import Foundation

/// For large documents: article HTML is sanitised on a second thread while libxml2 keeps
/// parsing on the first. Entries leave in document order (one worker, FIFO), and the
/// queue is bounded, so memory stays flat however long the document is.
final class HTMLPipeline: @unchecked Sendable {  // shared state is behind `condition`; `outgoing` is the parser's
    struct HTMLJob {
        let bytes: [UInt8]
        let base: String?
    }

    struct Job {
        var entry: ParsedEntry
        var summary: HTMLJob?
        var content: HTMLJob?
    }

    static let capacity = 512

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var closed = false
    private var finished = false
    private let deliver: (ParsedEntry) -> Void

    /// - Parameter deliver: called on the worker thread, in document order.
    init(deliver: @escaping (ParsedEntry) -> Void) {
        self.deliver = deliver
        let thread = Thread { [self] in work() }
        thread.name = "aggregator-html"
        thread.start()
    }

    /// Jobs gathered on the parsing thread and handed over together: one lock and one
    /// wake-up per batch rather than per entry.
    private var outgoing: [Job] = []
    static let batchSize = 32

    /// Called on the parsing thread only.
    func submit(_ job: Job) {
        outgoing.append(job)
        if outgoing.count >= Self.batchSize { flush() }
    }

    private func flush() {
        guard !outgoing.isEmpty else { return }
        condition.lock()
        while queue.count >= Self.capacity { condition.wait() }
        let wasEmpty = queue.isEmpty
        queue.append(contentsOf: outgoing)
        if wasEmpty { condition.broadcast() }
        condition.unlock()
        outgoing.removeAll(keepingCapacity: true)
    }

    /// Waits until every submitted entry has been delivered.
    func close() {
        flush()
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.broadcast()
            condition.unlock()
            for var job in batch {
                if let summary = job.summary { job.entry.summary = Self.sanitize(summary) }
                if let content = job.content { job.entry.content = Self.sanitize(content) }
                deliver(job.entry)
            }
        }
    }

    private static func sanitize(_ job: HTMLJob) -> String {
        job.bytes.withUnsafeBufferPointer { HTMLSanitizer.sanitize(bytes: $0, base: job.base) }
    }
}
