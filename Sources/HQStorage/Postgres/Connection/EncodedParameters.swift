/// Bind parameters encoded in binary, laid out for `PQexecPrepared`: one buffer, one range per
/// parameter (nil for NULL), and the resolved type OIDs.
struct EncodedParameters {
    var buffer = PostgresEncodingBuffer()
    var ranges: [Range<Int>?] = []
    var types: [UInt32] = []

    /// Calls `body` with libpq's parallel arrays of value pointers, lengths and formats (all binary).
    func withPointers<R>(
        _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) -> R
    ) -> R {
        // A trailing byte guarantees a non-nil base address, so empty values are non-NULL pointers.
        var bytes = buffer.bytes
        bytes.append(0)
        return bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            let values = ranges.map { range in
                range.map { base.advanced(by: $0.lowerBound).assumingMemoryBound(to: CChar.self) }
            }
            let lengths = ranges.map { Int32($0?.count ?? 0) }
            return body(values, lengths, [Int32](repeating: 1, count: ranges.count))
        }
    }
}
