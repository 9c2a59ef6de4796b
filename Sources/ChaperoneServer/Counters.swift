import CChaperone

/// A fixed set of 64-bit counters that any thread may add to and any thread may read, with
/// relaxed atomics: a metric needs no ordering with anything else.
final class Counters: @unchecked Sendable {
    // Written only through the atomic operations of CChaperone, so sharing is safe.
    private let storage: UnsafeMutablePointer<UInt64>
    let count: Int

    init(_ count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        storage.initialize(repeating: 0, count: count)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    func add(_ index: Int, _ amount: UInt64 = 1) {
        chaperone_counter_add(storage + index, amount)
    }

    func load(_ index: Int) -> UInt64 { chaperone_counter_load(storage + index) }

    /// Raises the value to `value` if it is lower.
    func raise(_ index: Int, to value: UInt64) { chaperone_counter_max(storage + index, value) }

    /// Reads the value and starts it again from zero.
    func take(_ index: Int) -> UInt64 { chaperone_counter_exchange(storage + index, 0) }
}

/// A Prometheus histogram of durations: cumulative bucket counts are computed when read.
final class DurationHistogram: Sendable {
    /// Upper bounds in seconds.
    static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                   2.5, 5, 10, 30, 60, 300]
    private static let boundNanoseconds = bounds.map { UInt64($0 * 1e9) }

    /// One slot per bucket (the last is +Inf), then the sum in nanoseconds.
    private let slots = Counters(bounds.count + 2)

    func observe(nanoseconds: UInt64) {
        var bucket = 0
        while bucket < Self.boundNanoseconds.count, nanoseconds > Self.boundNanoseconds[bucket] {
            bucket += 1
        }
        slots.add(bucket)
        slots.add(Self.bounds.count + 1, nanoseconds)
    }

    /// Writes `NAME_bucket`, `NAME_sum` and `NAME_count` lines with `labels` (already
    /// formatted, such as `route="a"`).
    func write(_ name: String, labels: String, into text: inout String) {
        var cumulative: UInt64 = 0
        let separator = labels.isEmpty ? "" : ","
        for (index, bound) in Self.bounds.enumerated() {
            cumulative += slots.load(index)
            text += "\(name)_bucket{\(labels)\(separator)le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += slots.load(Self.bounds.count)
        text += "\(name)_bucket{\(labels)\(separator)le=\"+Inf\"} \(cumulative)\n"
        let sum = Double(slots.load(Self.bounds.count + 1)) / 1e9
        text += "\(name)_sum{\(labels)} \(sum)\n"
        // The +Inf bucket, not the count slot, so that a scrape never shows them apart.
        text += "\(name)_count{\(labels)} \(cumulative)\n"
    }
}
