// Shared by every libFuzzer target in Fuzz/: compiled into each one by Scripts/fuzz.sh.

#if canImport(Glibc)
    import Glibc
#endif

/// Stops the run with a message naming the property that broke, so that libFuzzer saves the input.
func check(_ condition: Bool, _ property: @autoclosure () -> String) {
    guard !condition else { return }
    fputs("property broken: \(property())\n", stderr)
    abort()
}

/// Chunk sizes to split an input into: one taken from the input itself, so that the fuzzer
/// explores boundaries too, and, for short inputs, the smallest ones (which cost a parser call
/// per byte or two, too slow for long inputs).
func chunkSizes(for bytes: [UInt8]) -> [Int] {
    let derived = bytes.isEmpty ? 5 : Int(bytes[bytes.count / 2] % 61) + 2
    return bytes.count <= 2048 ? [1, 3, derived] : [derived, 97]
}
