import Testing

@testable import ChaperoneServer

private final class Timer: TimerOwner {
    var deadline: UInt64
    var timerSlot = -1
    let name: String

    init(_ name: String, _ deadline: UInt64) {
        self.name = name
        self.deadline = deadline
    }
}

@Suite struct TimerHeapTests {
    @Test func expiresInDeadlineOrderWithoutSleeping() {
        var heap = TimerHeap()
        let timers = [("c", 30), ("a", 10), ("e", 50), ("b", 20), ("d", 40)]
            .map { Timer($0.0, UInt64($0.1)) }
        for timer in timers { heap.schedule(timer) }
        #expect(heap.nextDeadline == 10)
        #expect(heap.expired(at: 5).isEmpty)
        #expect(heap.expired(at: 25).map { ($0 as! Timer).name } == ["a", "b"])
        #expect(heap.count == 3)
        #expect(heap.expired(at: 100).map { ($0 as! Timer).name } == ["c", "d", "e"])
        #expect(timers.allSatisfy { $0.timerSlot == -1 })
    }

    @Test func removalAndReschedulingKeepTheOrder() {
        var heap = TimerHeap()
        let timers = (0..<200).map { Timer("t\($0)", UInt64(($0 * 7919) % 1000)) }
        for timer in timers { heap.schedule(timer) }
        for timer in timers where timer.name.hasSuffix("3") { heap.remove(timer) }
        timers[10].deadline = 5000
        heap.schedule(timers[10])
        heap.remove(timers[10])
        heap.remove(timers[10])  // removing twice is harmless
        let order = heap.expired(at: .max).map(\.deadline)
        #expect(order == order.sorted())
        #expect(order.count == 200 - 20 - 1)
    }
}
