#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer in malloc'd memory, so its storage can be handed to C (libcurl
/// reads a request body from it; libmicrohttpd takes a finished response body over and
/// frees it). Bytes are appended at the end and consumed from the front.
///
/// Not thread-safe: it belongs to the event loop that owns its request.
public struct ByteBuffer: ~Copyable {
    public private(set) var base: UnsafeMutableRawPointer?
    public private(set) var capacity = 0
    private var start = 0
    private var end = 0

    public init(capacity: Int = 0) {
        if capacity > 0 { reserve(capacity) }
    }

    deinit { free(base) }

    /// Bytes appended and not yet consumed.
    public var count: Int { end - start }
    public var isEmpty: Bool { end == start }

    /// The readable bytes.
    public var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { $0 + start }, count: count)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if end + bytes.count > capacity {
            if start > 0 && count + bytes.count <= capacity {
                compact()
            } else {
                reserve(max(count + bytes.count, capacity * 2, 4096))
            }
        }
        (base! + end).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        end += bytes.count
    }

    /// Copies up to `limit` bytes into `destination` and consumes them.
    public mutating func read(into destination: UnsafeMutableRawPointer, limit: Int) -> Int {
        let n = min(limit, count)
        guard n > 0 else { return 0 }
        destination.copyMemory(from: base! + start, byteCount: n)
        start += n
        if start == end {
            start = 0
            end = 0
        }
        return n
    }

    /// Ensures room for `total` readable bytes without another allocation.
    public mutating func reserve(_ total: Int) {
        compact()
        guard total > capacity else { return }
        guard let grown = realloc(base, total) else { fatalError("out of memory") }
        base = grown
        capacity = total
    }

    /// Gives the storage (holding exactly the readable bytes, from its start) to the
    /// caller, who must `free` it; the buffer is left empty.
    public mutating func detach() -> (pointer: UnsafeMutableRawPointer?, count: Int) {
        compact()
        let result = (base, count)
        base = nil
        capacity = 0
        start = 0
        end = 0
        return result
    }

    private mutating func compact() {
        guard start > 0, let base else { return }
        if count > 0 { base.copyMemory(from: base + start, byteCount: count) }
        end -= start
        start = 0
    }
}
