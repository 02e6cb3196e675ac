import Foundation
import Hummingbird

/// Writes JSON straight into a `ByteBuffer`: vectors are the bulk of every embeddings response and
/// `JSONEncoder` spends most of its time on them.
struct JSONWriter {
    var buffer = ByteBuffer()

    init(capacity: Int = 256) {
        buffer.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    mutating func int(_ value: Int) {
        buffer.writeString(String(value))
    }

    mutating func string(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        for unit in value.utf8 {
            switch unit {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case 0..<0x20:
                buffer.writeString(String(format: "\\u%04x", unit))
            default: buffer.writeInteger(unit)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// `[f0,f1,…]` with each float's shortest round-trip form (finite values only).
    mutating func floats(_ values: [Float]) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeString(value.isFinite ? value.description : "0")
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// The vector as base64 of little-endian float32, as OpenAI's `encoding_format: base64`.
    mutating func base64Floats(_ values: [Float]) {
        let data = values.withUnsafeBufferPointer { pointer in
            var bytes = Data(capacity: pointer.count * 4)
            for value in pointer {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            return bytes
        }
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeString(data.base64EncodedString())
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
