#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes of a stream handed to a record stream: what is here now, and where it sits in the stream.
struct StreamWindow {
    /// The bytes; they stay valid for the call they are passed to.
    var bytes: UnsafeRawBufferPointer
    /// The stream offset of `bytes[0]`.
    var offset: Int
    /// Whether the stream before `bytes[0]` ends at the start of a line (after a line feed and blanks
    /// only, or at the very start of the stream).
    var startsAtLine: Bool
    /// Whether no bytes follow these: the stream ends here.
    var isFinal: Bool

    var count: Int { bytes.count }

    /// The offset in `bytes` of the first line feed at or after `index`, or `nil`: the one newline scan
    /// that layout detection, record-line skipping, CSV lines and block cutting share.
    func newline(from index: Int) -> Int? {
        bytes.newline(from: index)
    }

    /// Whether only blanks stand between the previous line feed (or the window's start, when the
    /// stream before it ends at a line start) and `bytes[index]`.
    func isAtLineStart(_ index: Int) -> Bool {
        bytes.endsAtLineStart(before: index) ?? startsAtLine
    }
}

extension UnsafeRawBufferPointer {
    /// The offset of the first line feed at or after `index`, or `nil`.
    @inline(__always)
    func newline(from index: Int) -> Int? {
        guard index < count, let base = baseAddress,
            let found = memchr(base + index, Int32(asciiNewline), count - index)
        else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// The offset of the last line feed before `end`, or `nil`.
    func lastNewline(before end: Int) -> Int? {
        var index = end - 1
        while index >= 0 {
            if self[index] == asciiNewline { return index }
            index -= 1
        }
        return nil
    }

    /// Whether the bytes before `index` end at a line start: `true` after a line feed and blanks only,
    /// `false` after anything else, `nil` when only blanks precede `index` in these bytes.
    func endsAtLineStart(before index: Int) -> Bool? {
        var index = index - 1
        while index >= 0 {
            let byte = self[index]
            if byte == asciiNewline { return true }
            guard byte == asciiSpace || byte == asciiTab || byte == asciiReturn else { return false }
            index -= 1
        }
        return nil
    }
}

/// The one buffer a stream is read into: it owns the bytes, drops what was consumed, and grows only
/// while a single token does not fit, up to ``ReaderLimits/maximumTokenSize``.
///
/// `bytes[start..<end]` are read and not yet consumed; `bytes[0]` is at stream offset `baseOffset`.
/// The storage has ``slack`` bytes past its capacity, so that a decoder may load a few bytes past the
/// end of what it reads without leaving the allocation.
final class ReadBuffer {
    /// Bytes allocated past the capacity.
    static let slack = 16

    /// The bytes, allocated when first written to: a block read in place may never need them.
    private var storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private(set) var capacity: Int
    private let maximumCapacity: Int
    /// The stream offset of the first byte held.
    private(set) var baseOffset: Int
    private(set) var start = 0
    private(set) var end = 0
    /// Whether the bytes already dropped from the front end at the start of a line.
    private var droppedBytesEndAtLineStart = true

    /// - Parameters:
    ///   - capacity: the initial size.
    ///   - maximumCapacity: the size it may grow to for one token.
    ///   - baseOffset: the stream offset of the first byte it will hold.
    init(capacity: Int, maximumCapacity: Int, baseOffset: Int = 0) {
        self.capacity = max(capacity, 1)
        self.maximumCapacity = max(maximumCapacity, self.capacity)
        self.baseOffset = baseOffset
    }

    deinit { storage.deallocate() }

    /// The stream offset just past the last byte held.
    var streamEnd: Int { baseOffset + end }

    /// Whether every byte read was consumed.
    var isEmpty: Bool { start == end }

    /// Whether the stream before the first unconsumed byte ends at the start of a line.
    var startsAtLine: Bool {
        UnsafeRawBufferPointer(storage).endsAtLineStart(before: start) ?? droppedBytesEndAtLineStart
    }

    /// The bytes read and not consumed, as a window of the stream.
    func window(isFinal: Bool) -> StreamWindow {
        let bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[start..<end])
        return StreamWindow(bytes: bytes, offset: baseOffset + start, startsAtLine: startsAtLine, isFinal: isFinal)
    }

    /// Marks `count` bytes at the front of the window as consumed.
    func consume(_ count: Int) {
        start += count
    }

    /// Makes room at the end: moves unconsumed bytes to the front, and grows while they fill the buffer.
    ///
    /// - Returns: `false` when the unconsumed bytes fill the largest buffer allowed (one token longer
    ///   than ``ReaderLimits/maximumTokenSize``).
    func makeRoom() -> Bool {
        if storage.baseAddress == nil { storage = .allocate(byteCount: capacity + Self.slack, alignment: 16) }
        if start > 0, end == capacity || start == end { compact() }
        guard end == capacity else { return true }
        guard capacity < maximumCapacity else { return false }
        let grown = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(capacity * 2, maximumCapacity) + Self.slack, alignment: 16)
        grown.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: end)
        storage.deallocate()
        storage = grown
        capacity = grown.count - Self.slack
        return true
    }

    private func compact() {
        droppedBytesEndAtLineStart = startsAtLine
        let remaining = end - start
        if remaining > 0 { storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: remaining) }
        baseOffset += start
        start = 0
        end = remaining
    }

    /// The free space after the bytes held, at most `limit` bytes of it; call ``makeRoom()`` first.
    func room(limit: Int? = nil) -> UnsafeMutableRawBufferPointer {
        let room = UnsafeMutableRawBufferPointer(rebasing: storage[end..<capacity])
        guard let limit else { return room }
        return UnsafeMutableRawBufferPointer(rebasing: room.prefix(limit))
    }

    /// Takes `count` bytes written into ``room(limit:)``.
    func didWrite(_ count: Int) {
        end += count
    }

    /// Drops every byte held (a token too long to keep), remembering whether they ended a line.
    func dropAll() {
        droppedBytesEndAtLineStart =
            UnsafeRawBufferPointer(storage).endsAtLineStart(before: end) ?? droppedBytesEndAtLineStart
        baseOffset += end
        start = 0
        end = 0
    }

    /// Starts over empty at stream offset `offset`, after bytes that `endAtLineStart` or not.
    func reset(at offset: Int, endAtLineStart: Bool) {
        baseOffset = offset
        start = 0
        end = 0
        droppedBytesEndAtLineStart = endAtLineStart
    }
}
