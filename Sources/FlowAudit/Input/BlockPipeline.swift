#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads many files on several cores, and one large file on several cores: one thread inflates a file
/// (gzip cannot be split) into a bounded set of reused buffers, cuts it into blocks of complete
/// records at line starts (``BlockCutter``), and any thread decodes and classifies a block into a
/// sink of its own; the blocks' results are merged in file order, and the files' in input order.
///
/// A block other than a file's first is read ahead from the boundary its first line suggests (between
/// records of the file's `{"records":[…]}` array, of a bare array, or at the top level). When the
/// block before it has been read, the boundary it really ends at is compared with that assumption:
/// equal, the block's result stands, since reading on from that boundary gives the same events;
/// different (damage, a pretty-printed file), the block is read again from where the block before
/// ended. So everything observable is what reading the file in one go gives: statistics, errors and
/// their offsets, rejections, limits, the cut record at the end. Where a file is cut depends only on
/// its bytes and ``ReaderLimits/blockSize``; a line longer than four blocks, or a file that is not
/// JSON, is read on in one go from there.
///
/// Memory is bounded: buffers in flight are limited to a few per thread, a file's blocks wait for
/// merging only while a block before them is being read, and a finished file's result waits only
/// for the files before it.
final class BlockPipeline<Merging: BlockResultMerging>: @unchecked Sendable {
    typealias Sink = Merging.Sink
    typealias Partial = Merging.Partial

    /// A file to read: a path, or bytes read as if they were the file `name` (fuzzing and tests).
    enum Input {
        case path(String)
        case bytes([UInt8], name: String)

        var name: String {
            switch self {
            case .path(let path): path
            case .bytes(_, let name): name
            }
        }

        func open(limits: ReaderLimits) throws(InputError) -> LogByteSource {
            switch self {
            case .path(let path): try LogByteSource(path: path, limits: limits)
            case .bytes(let bytes, let name): try LogByteSource(bytes: bytes, name: name, limits: limits)
            }
        }
    }

    private let files: [Input]
    private let threads: Int
    private let limits: ReaderLimits
    /// Whether files are cut into blocks (`false`: each file is read in one go, one sink per file).
    private let cutsFiles: Bool
    private let merging: Merging
    private let progress: ReadProgress?
    /// The size of a block's buffer (``ReaderLimits/blockSize``, at least 1).
    private let blockSize: Int
    /// The most bytes a block may grow to while no record line starts in it.
    private let maximumBlockBytes: Int
    /// The most bytes of blocks cut and not merged yet: past it, producers help instead of reading on.
    private let budget: Int

    /// Files read at once at most: each holds its merged partial and its reader, so this bounds memory;
    /// the other threads read their blocks.
    static var openFiles: Int { 4 }

    // Everything below is guarded by `lock`.
    private let lock = WorkLock()
    private var nextFile = 0
    private var producers = 0
    /// Blocks waiting to be read ahead, in the order they were cut.
    private var queue: [Block] = []
    private var queueHead = 0
    private var spareBuffers: [Buffer] = []
    /// Bytes of the blocks cut and not merged yet.
    private var bytesInFlight = 0
    private var finishedFiles = 0
    private var results: [Int: FileBlocksResult<Partial>] = [:]
    private var waiting: (file: Int, continuation: CheckedContinuation<FileBlocksResult<Partial>, Never>)?

    /// - Parameters:
    ///   - threads: threads reading at once.
    ///   - cutsFiles: whether to read files in blocks.
    init(
        files: [Input], threads: Int, limits: ReaderLimits, cutsFiles: Bool, merging: Merging,
        progress: ReadProgress?
    ) {
        self.files = files
        // More threads than twice the cores read no faster, and each keeps memory (malloc arenas, a block
        // being read): so many at most.
        self.threads = max(min(threads, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))), 1)
        self.limits = limits
        self.cutsFiles = cutsFiles
        self.merging = merging
        self.progress = progress
        blockSize = max(limits.blockSize, 1)
        maximumBlockBytes = 4 * blockSize
        // A block waiting to be merged holds its buffer and, once read ahead, its partial result (a
        // findings tally may be a few MiB): a few per thread keep every thread busy, eight bound memory.
        budget = min(2 * self.threads + 2, 8) * blockSize
    }

    /// Reads every file, handing each file's result to `consume` in input order.
    func run(consume: (Int, FileBlocksResult<Partial>) -> Void) async {
        guard !files.isEmpty else { return }
        let join = WorkerThreads.start(threads) { [self] in work() }
        for index in files.indices {
            let result = await withCheckedContinuation { continuation in
                lock.lock()
                if let result = results.removeValue(forKey: index) {
                    lock.unlock()
                    continuation.resume(returning: result)
                } else {
                    waiting = (index, continuation)
                    lock.unlock()
                }
            }
            consume(index, result)
        }
        join()
    }

    /// Reads every file with this thread among the reading ones, and returns the results in input order.
    func runHere() -> [FileBlocksResult<Partial>] {
        let join = WorkerThreads.start(threads - 1) { [self] in work() }
        work()
        join()
        return files.indices.map { results[$0]! }
    }

    // MARK: Threads

    /// What a thread does until every file is finished: read blocks ahead, merge, start the next file.
    private func work() {
        lock.lock()
        while finishedFiles < files.count {
            if runAvailableWork(preferring: nil) { continue }
            if nextFile < files.count, producers < min(threads, Self.openFiles) {
                let index = nextFile
                nextFile += 1
                producers += 1
                lock.unlock()
                produce(FileState(index: index, input: files[index], progress: progress))
                lock.lock()
                producers -= 1
                lock.broadcast()
                continue
            }
            lock.wait()
        }
        lock.unlock()
    }

    /// With the lock held: merges a file whose next block is ready, or reads a block ahead; returns
    /// whether it did anything (the lock is held again then).
    private func runAvailableWork(preferring file: FileState?) -> Bool {
        if let file, file.canMerge {
            lock.unlock()
            merge(file)
            lock.lock()
            return true
        }
        dropStaleQueueHead()
        if queueHead < queue.count {
            let block = queue[queueHead]
            queueHead += 1
            block.state = .reading
            lock.unlock()
            readAhead(block)
            lock.lock()
            return true
        }
        return false
    }

    /// With the lock held: drops the blocks at the queue's head that were taken to be read in order.
    private func dropStaleQueueHead() {
        while queueHead < queue.count {
            guard case .queued = queue[queueHead].state else {
                queueHead += 1
                continue
            }
            break
        }
        if queueHead > 64, queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    // MARK: Producing

    private func produce(_ file: FileState) {
        let source: LogByteSource
        do {
            source = try file.input.open(limits: limits)
        } catch {
            lock.lock()
            file.unopened = .unopened(error)
            file.producing = false
            finishIfDone(file)
            lock.unlock()
            return
        }
        file.isGzip = source.isGzip
        var bytes = ProgressCounter(progress)
        guard cutsFiles else {
            readRest(of: file, from: source, after: nil, progress: &bytes)
            return
        }
        var buffer = takeBuffer(bytes: blockSize, for: file)
        var offset = 0
        var ending = fill(buffer, from: source, at: offset)
        bytes.report(fileBytes: source.fileBytesRead, decompressed: source.bytesProduced)
        var sniffer = LayoutSniffer(lineLimit: limits.bufferSize)
        let first = sniffer.consume(
            StreamWindow(bytes: buffer.bytes, offset: 0, startsAtLine: true, isFinal: ending != nil))
        guard sniffer.layout == .json else {
            readRest(of: file, from: source, after: (buffer, 0, ending), progress: &bytes)
            return
        }
        let shape = BlockCutter.shape(of: UnsafeRawBufferPointer(rebasing: buffer.bytes[first...]))
        var boundary: JSONBoundary?
        var index = 0
        while true {
            if let ending {
                emit(
                    Block(
                        file: file, index: index, buffer: buffer, offset: offset, count: buffer.count,
                        boundary: boundary, ending: ending))
                break
            }
            guard let cut = BlockCutter.lastCut(in: buffer.bytes) else {
                guard buffer.capacity < maximumBlockBytes else {
                    readRest(of: file, from: source, after: (buffer, offset, nil), progress: &bytes)
                    return
                }
                let grown = takeBuffer(bytes: buffer.capacity * 2, for: file)
                grown.append(UnsafeRawBufferPointer(buffer.bytes))
                release(buffer, wasCut: false)
                buffer = grown
                ending = fill(buffer, from: source, at: offset)
                bytes.report(fileBytes: source.fileBytesRead, decompressed: source.bytesProduced)
                continue
            }
            // The rest of the buffer starts the next block (more than a block's worth after a grown one).
            let rest = UnsafeRawBufferPointer(rebasing: buffer.bytes[cut.offset...])
            let next = takeBuffer(
                bytes: rest.count < blockSize ? blockSize : min(2 * rest.count, maximumBlockBytes),
                for: file)
            next.append(rest)
            emit(
                Block(
                    file: file, index: index, buffer: buffer, offset: offset, count: cut.offset,
                    boundary: boundary, ending: nil))
            boundary = JSONBoundary(shape, atComma: cut.atComma)
            index += 1
            offset += cut.offset
            buffer = next
            ending = fill(buffer, from: source, at: offset)
            bytes.report(fileBytes: source.fileBytesRead, decompressed: source.bytesProduced)
        }
        lock.lock()
        file.producing = false
        file.bytesRead = source.fileBytesRead
        file.bytesDecompressed = source.bytesProduced
        lock.unlock()
        merge(file)
    }

    /// Fills `buffer` from `source`; returns how the stream ended, or `nil` when the buffer is full.
    private func fill(_ buffer: Buffer, from source: LogByteSource, at offset: Int) -> StreamEnding? {
        while buffer.count < buffer.capacity {
            do {
                let count = try source.read(into: buffer.room)
                if count == 0 { return source.limitStop.map { .limit($0) } ?? .complete }
                buffer.count += count
            } catch let damage as InputDamage {
                return .damaged(damage)
            } catch {
                return .readFailed(error, offset: offset + buffer.count)
            }
        }
        return nil
    }

    private func emit(_ block: Block) {
        let file = block.file
        lock.lock()
        bytesInFlight += block.buffer.capacity
        file.blocks.append(block)
        // The last block is read by the producer when it is next; so is every block once reading ahead
        // has failed too often in this file.
        let inOrder = file.readsInOrder || (block.ending != nil && file.blocks.count == 1)
        if inOrder {
            block.state = .inOrder
        } else {
            queue.append(block)
        }
        lock.broadcast()
        lock.unlock()
        if inOrder { merge(file) }
    }

    /// Reads the rest of the file in one go on this thread, once every block before is merged: a file
    /// that is not JSON, one read whole, or one with a line longer than the largest block.
    ///
    /// - Parameter pending: bytes already taken from the source, their stream offset, and the ending
    ///   when the source ended with them.
    private func readRest(
        of file: FileState, from source: LogByteSource, after pending: (Buffer, Int, StreamEnding?)?,
        progress bytes: inout ProgressCounter
    ) {
        // Wait for the blocks before to be merged, helping meanwhile.
        lock.lock()
        while !(file.blocks.isEmpty && !file.isMerging) {
            if !runAvailableWork(preferring: file) { lock.wait() }
        }
        file.isMerging = true
        lock.unlock()
        var reader = file.lastReader ?? BlockReader(newParser(for: file), limits: limits)
        if file.mergedBlocks > 0 { reader.parser.reader.countsRecords = false }
        if let (buffer, offset, ending) = pending {
            reader.read(UnsafeRawBufferPointer(buffer.bytes), at: offset)
            release(buffer, wasCut: false)
            if let ending {
                reader.finish(ending)
                file.add(reader.take(replacingSinkWith: merging.makeSink(file: file.index)), reader, merging)
                return finishRest(of: file, source)
            }
        }
        let merged = file.statistics.records
        reader.readToEnd(source) { records in
            bytes.report(fileBytes: source.fileBytesRead, decompressed: source.bytesProduced)
            file.records.report(records: merged + records)
        }
        file.add(reader.take(replacingSinkWith: merging.makeSink(file: file.index)), reader, merging)
        finishRest(of: file, source)
    }

    private func finishRest(of file: FileState, _ source: LogByteSource) {
        lock.lock()
        file.mergedBlocks += 1
        file.isMerging = false
        file.producing = false
        file.bytesRead = source.fileBytesRead
        file.bytesDecompressed = source.bytesProduced
        finishIfDone(file)
        lock.unlock()
    }

    // MARK: Reading blocks

    private func newParser(for file: FileState) -> LogStreamParser<Sink> {
        LogStreamParser(
            sink: merging.makeSink(file: file.index), fileIndex: UInt32(file.index), path: file.path,
            isGzip: file.isGzip, limits: limits)
    }

    /// Reads a block ahead, from the boundary its first line suggests (the file's first from its start).
    private func readAhead(_ block: Block) {
        let file = block.file
        var reader: BlockReader<Sink>
        if let boundary = block.boundary {
            reader = BlockReader(
                LogStreamParser(
                    sink: merging.makeSink(file: file.index), fileIndex: UInt32(file.index), path: file.path,
                    isGzip: file.isGzip, limits: limits, boundary: boundary),
                limits: limits, offset: block.offset)
        } else {
            reader = BlockReader(newParser(for: file), limits: limits)
        }
        let output = read(block, with: &reader)
        lock.lock()
        block.state = .readAhead(output, reader)
        lock.unlock()
        merge(block.file)
    }

    /// Reads `block` with `reader` and takes its output, its partial made on this thread.
    private func read(_ block: Block, with reader: inout BlockReader<Sink>) -> BlockOutput {
        // Whether read ahead or on from the block before, a later block does not number records: so
        // what its flows say does not depend on how the threads were scheduled.
        if block.index > 0 { reader.parser.reader.countsRecords = false }
        reader.read(UnsafeRawBufferPointer(rebasing: block.buffer.bytes[..<block.count]), at: block.offset)
        if let ending = block.ending { reader.finish(ending) }
        let taken = reader.take(replacingSinkWith: merging.makeSink(file: block.file.index))
        return BlockOutput(
            statistics: taken.statistics, damage: taken.damage,
            partial: merging.partial(of: taken.sink, symbols: reader.parser.reader.symbols))
    }

    // MARK: Merging

    /// Merges the file's blocks that are ready, in order, on this thread; one thread at a time per file.
    private func merge(_ file: FileState) {
        lock.lock()
        guard !file.isMerging else {
            file.mergeAgain = true
            lock.unlock()
            return
        }
        file.isMerging = true
        while true {
            file.mergeAgain = false
            while let block = file.blocks.first {
                let state = block.state
                switch state {
                case .reading, .merged:
                    break
                case .queued, .inOrder:
                    // Nobody read it ahead: read it here, on from where the block before ended.
                    block.state = .reading
                    lock.unlock()
                    var reader = file.lastReader ?? BlockReader(newParser(for: file), limits: limits)
                    let output = read(block, with: &reader)
                    file.add(output, reader, merging)
                    lock.lock()
                    merged(block, of: file)
                    continue
                case .readAhead(let output, let reader):
                    lock.unlock()
                    let misread = block.boundary != nil && file.lastReader?.boundary != block.boundary
                    if misread {
                        // It did not start where it was read from: read it again from where it starts.
                        var reader = file.lastReader!
                        file.add(read(block, with: &reader), reader, merging)
                    } else {
                        file.add(output, reader, merging)
                    }
                    lock.lock()
                    if misread { file.misreadBlocks += 1 } else { file.readAheadBlocks += 1 }
                    merged(block, of: file)
                    continue
                }
                break
            }
            if !file.mergeAgain { break }
        }
        file.isMerging = false
        finishIfDone(file)
        // A producer may wait for the merging to end (``readRest(of:from:after:progress:)``).
        lock.broadcast()
        lock.unlock()
    }

    /// With the lock held: a block was merged; its buffer is free.
    private func merged(_ block: Block, of file: FileState) {
        file.mergedBlocks += 1
        file.blocks.removeFirst()
        block.state = .merged
        let buffer: Buffer = block.buffer
        block.buffer = nil
        dropStaleQueueHead()
        lock.unlock()
        file.records.report(records: file.statistics.records)
        release(buffer)
        lock.lock()
    }

    /// With the lock held: hands the file's result on once everything is read and merged.
    private func finishIfDone(_ file: FileState) {
        guard !file.producing, !file.isMerging, file.blocks.isEmpty, !file.isFinished else { return }
        file.isFinished = true
        let result = file.result(merging)
        finishedFiles += 1
        progress?.fileDone()
        if let waiting, waiting.file == file.index {
            self.waiting = nil
            waiting.continuation.resume(returning: result)
        } else {
            results[file.index] = result
        }
        lock.broadcast()
    }

    // MARK: Buffers

    /// A buffer of `bytes` to fill, once the blocks in flight are within the budget; helps with other
    /// work while they are not. (A producer's buffers count once they are cut into blocks: so a producer
    /// never waits for its own.)
    private func takeBuffer(bytes: Int, for file: FileState) -> Buffer {
        lock.lock()
        while bytesInFlight >= budget {
            if !runAvailableWork(preferring: file) { lock.wait() }
        }
        let spare = bytes == blockSize ? spareBuffers.popLast() : nil
        lock.unlock()
        let buffer = spare ?? Buffer(capacity: bytes)
        buffer.count = 0
        return buffer
    }

    /// Gives back the buffer of a block that was merged, or that was read in one go (`wasCut == false`).
    private func release(_ buffer: Buffer, wasCut: Bool = true) {
        lock.lock()
        if wasCut { bytesInFlight -= buffer.capacity }
        if buffer.capacity == blockSize, spareBuffers.count < 2 * threads + 2 { spareBuffers.append(buffer) }
        lock.broadcast()
        lock.unlock()
    }

    // MARK: State

    /// Decompressed bytes of a file, filled by its producer.
    final class Buffer {
        private let storage: UnsafeMutableRawBufferPointer
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            // Slack past the end, so that a decoder may load a few bytes beyond what it reads.
            storage = .allocate(byteCount: capacity + ReadBuffer.slack, alignment: 16)
        }

        deinit { storage.deallocate() }

        var bytes: UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[..<count])
        }
        var room: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: storage[count..<capacity]) }

        func append(_ bytes: UnsafeRawBufferPointer) {
            precondition(count + bytes.count <= capacity, "a block buffer holds what it was made for")
            guard !bytes.isEmpty else { return }
            room.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            count += bytes.count
        }
    }

    /// What reading a block produced.
    struct BlockOutput {
        var statistics: InputStatistics
        var damage: DamageLog
        var partial: Partial
    }

    /// A block of a file: `buffer.bytes[..<count]`, at stream offset `offset`.
    final class Block {
        enum State {
            /// Waiting for a thread to read it ahead.
            case queued
            /// To be read in order, on from the block before.
            case inOrder
            case reading
            /// Read ahead from `boundary`: its output, and the reader as it ended.
            case readAhead(BlockOutput, BlockReader<Sink>)
            case merged
        }

        let file: FileState
        let index: Int
        /// The bytes, until the block is merged.
        var buffer: Buffer!
        let offset: Int
        let count: Int
        /// Where it is assumed to start; `nil` for the file's first block.
        let boundary: JSONBoundary?
        /// How the stream ends after it, for the last block.
        let ending: StreamEnding?
        var state = State.queued

        init(
            file: FileState, index: Int, buffer: Buffer, offset: Int, count: Int, boundary: JSONBoundary?,
            ending: StreamEnding?
        ) {
            (self.file, self.index, self.buffer, self.offset, self.count) = (file, index, buffer, offset, count)
            (self.boundary, self.ending) = (boundary, ending)
        }
    }

    /// One file being read: its blocks not merged yet, and what the merged ones gave.
    final class FileState {
        let index: Int
        let input: Input
        var path: String { input.name }
        var isGzip = false
        var unopened: InputStatistics?
        var producing = true
        var isFinished = false
        /// Blocks cut and not merged yet, in file order.
        var blocks: [Block] = []
        var isMerging = false
        var mergeAgain = false
        /// Blocks that did not start where they were read from.
        var misreadBlocks = 0
        /// Blocks read ahead and kept.
        var readAheadBlocks = 0
        var mergedBlocks = 0
        /// The reader as the last merged block ended: where the next block starts.
        var lastReader: BlockReader<Sink>?
        var statistics = InputStatistics()
        var damage: DamageLog?
        var partial: Partial?
        var bytesRead = 0
        var bytesDecompressed = 0
        var records: ProgressCounter

        init(index: Int, input: Input, progress: ReadProgress?) {
            self.index = index
            self.input = input
            records = ProgressCounter(progress)
        }

        /// Whether blocks go to the producer in order instead of being read ahead: reading ahead keeps
        /// failing (a pretty-printed file, whose record lines are not all at the record level).
        var readsInOrder: Bool { misreadBlocks > 2 && misreadBlocks * 4 > mergedBlocks }

        /// Whether a thread could merge the next block now.
        var canMerge: Bool {
            guard !isMerging, let block = blocks.first else { return false }
            switch block.state {
            case .queued, .inOrder, .readAhead: return true
            case .reading, .merged: return false
            }
        }

        /// Adds a merged block's output, and keeps the reader it ended with.
        func add(_ output: BlockOutput, _ reader: BlockReader<Sink>, _ merging: Merging) {
            statistics.merge(output.statistics)
            if damage == nil { damage = output.damage } else { damage!.append(output.damage) }
            if partial == nil { partial = output.partial } else { merging.merge(output.partial, into: &partial!) }
            lastReader = reader
        }

        func add(
            _ taken: (statistics: InputStatistics, damage: DamageLog, sink: Sink), _ reader: BlockReader<Sink>,
            _ merging: Merging
        ) {
            add(
                BlockOutput(
                    statistics: taken.statistics, damage: taken.damage,
                    partial: merging.partial(of: taken.sink, symbols: reader.parser.reader.symbols)), reader, merging)
        }

        func result(_ merging: Merging) -> FileBlocksResult<Partial> {
            if let unopened {
                return FileBlocksResult(
                    statistics: unopened,
                    partial: merging.partial(of: merging.makeSink(file: index), symbols: SymbolTable()),
                    blocks: 0)
            }
            var statistics = statistics
            statistics.files = 1
            statistics.errors = damage?.errors ?? []
            statistics.bytesRead = bytesRead
            statistics.bytesDecompressed = bytesDecompressed
            return FileBlocksResult(
                statistics: statistics,
                partial: partial ?? merging.partial(of: merging.makeSink(file: index), symbols: SymbolTable()),
                blocks: mergedBlocks, blocksReadAhead: readAheadBlocks)
        }
    }
}
