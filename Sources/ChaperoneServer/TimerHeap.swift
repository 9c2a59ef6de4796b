/// Something with a deadline in a `TimerHeap`. The heap keeps `timerSlot` current so the
/// timer can be removed in O(log n) when its owner finishes first.
protocol TimerOwner: AnyObject {
    /// Monotonic nanoseconds.
    var deadline: UInt64 { get }
    /// Position in the heap, or -1 when not scheduled. Maintained by the heap.
    var timerSlot: Int { get set }
}

/// A binary min-heap of deadlines, one per event loop. Time is passed in rather than read,
/// so the heap is tested without sleeping.
struct TimerHeap {
    private var items: [TimerOwner] = []

    var count: Int { items.count }

    /// The earliest deadline, if any.
    var nextDeadline: UInt64? { items.first?.deadline }

    /// Schedules `owner` at its current `deadline`; an already scheduled owner is moved.
    mutating func schedule(_ owner: TimerOwner) {
        if owner.timerSlot >= 0 { remove(owner) }
        items.append(owner)
        owner.timerSlot = items.count - 1
        siftUp(items.count - 1)
    }

    mutating func remove(_ owner: TimerOwner) {
        let slot = owner.timerSlot
        guard slot >= 0, slot < items.count, items[slot] === owner else { return }
        owner.timerSlot = -1
        let last = items.removeLast()
        guard slot < items.count else { return }
        items[slot] = last
        last.timerSlot = slot
        siftDown(slot)
        siftUp(slot)
    }

    /// Removes and returns the owners whose deadline is at or before `now`, earliest first.
    mutating func expired(at now: UInt64) -> [TimerOwner] {
        var due: [TimerOwner] = []
        while let first = items.first, first.deadline <= now {
            remove(first)
            due.append(first)
        }
        return due
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left].deadline < items[smallest].deadline {
                smallest = left
            }
            if right < items.count, items[right].deadline < items[smallest].deadline {
                smallest = right
            }
            guard smallest != parent else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        items.swapAt(a, b)
        items[a].timerSlot = a
        items[b].timerSlot = b
    }
}
