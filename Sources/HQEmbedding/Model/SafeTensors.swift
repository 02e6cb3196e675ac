import Foundation

/// The tensors of a `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a
/// JSON header `{name: {dtype, shape, data_offsets}}`, then the raw data.
struct SafeTensors: Sendable {
    struct Entry: Sendable {
        let dtype: String
        let shape: [Int]
        let range: Range<Int>  // absolute byte range in the file
    }

    let file: MappedFile
    let entries: [String: Entry]

    /// Maps and validates `path`: header in bounds, every tensor's bytes in the file and consistent
    /// with its dtype and shape.
    /// - Throws: `.modelFileMissing` or `.modelFileCorrupt` naming the file.
    init(path: String) throws(EmbeddingError) {
        let file = try MappedFile(path: path)
        func corrupt(_ why: String) -> EmbeddingError {
            EmbeddingError(.modelFileCorrupt, "\(path): \(why)", hint: EmbeddingError.setupHint)
        }
        let bytes = file.bytes
        guard bytes.count >= 8 else { throw corrupt("shorter than its 8-byte header length") }
        let declaredLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declaredLength > 1, declaredLength <= UInt64(bytes.count - 8) else {
            throw corrupt("header length \(declaredLength) exceeds the file size \(bytes.count) (truncated?)")
        }
        let headerLength = Int(declaredLength)
        let header = Data(bytes[8..<8 + headerLength])
        guard let object = try? JSONSerialization.jsonObject(with: header), let json = object as? [String: Any] else {
            throw corrupt("header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        var entries: [String: Entry] = [:]
        for (name, value) in json where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                let shape = (info["shape"] as? [NSNumber])?.map(\.intValue),
                let offsets = (info["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2,
                offsets[0] >= 0, offsets[0] <= offsets[1], shape.allSatisfy({ $0 >= 0 })
            else { throw corrupt("malformed header entry for \(name)") }
            let range = (dataStart + offsets[0])..<(dataStart + offsets[1])
            guard range.upperBound <= bytes.count else {
                throw corrupt("tensor \(name) ends at byte \(range.upperBound) past the end \(bytes.count) (truncated)")
            }
            let width = Self.byteWidth(dtype)
            if let width, shape.reduce(1, *) * width != range.count {
                throw corrupt("tensor \(name) has \(range.count) bytes for shape \(shape) of \(dtype)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: range)
        }
        self.file = file
        self.entries = entries
    }

    /// The f32 tensor `name` with exactly `shape`, as a pointer into the mapping (or an aligned copy if
    /// the file's offset is not 4-byte aligned, which the format permits).
    func float32(_ name: String, shape: [Int], storage: WeightStorage) throws(EmbeddingError) -> UnsafePointer<Float> {
        guard let entry = entries[name] else {
            throw EmbeddingError(.modelFileCorrupt, "\(file.path) lacks tensor \(name)", hint: EmbeddingError.setupHint)
        }
        guard entry.dtype == "F32" else {
            throw EmbeddingError(
                .unsupportedModel, "\(file.path): tensor \(name) is \(entry.dtype); only F32 weights are supported")
        }
        guard entry.shape == shape else {
            throw EmbeddingError(
                .modelFileCorrupt, "\(file.path): tensor \(name) has shape \(entry.shape), config implies \(shape)",
                hint: EmbeddingError.setupHint)
        }
        let raw = file.bytes.baseAddress! + entry.range.lowerBound
        if Int(bitPattern: raw) % MemoryLayout<Float>.alignment == 0 {
            return raw.assumingMemoryBound(to: Float.self)
        }
        let copy = storage.allocate(count: entry.range.count / 4)
        UnsafeMutableRawPointer(copy).copyMemory(from: raw, byteCount: entry.range.count)
        return UnsafePointer(copy)
    }

    func has(_ name: String) -> Bool { entries[name] != nil }

    private static func byteWidth(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL": 1
        default: nil
        }
    }
}

/// Owns float buffers derived from the weights (fused or realigned copies); frees them on deinit.
///
/// `@unchecked Sendable`: buffers are written only while the model loads, before the object is shared,
/// and are read-only afterwards.
final class WeightStorage: @unchecked Sendable {
    private var buffers: [UnsafeMutablePointer<Float>] = []

    func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        buffers.append(buffer)
        return buffer
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }
}
