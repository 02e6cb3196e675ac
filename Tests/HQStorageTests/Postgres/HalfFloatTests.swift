import HQStorage
import HQTestSupport
import Testing

/// The halfvec codec's binary16 conversion, checked against the standard library's `Float16`
/// without a server.
@Suite struct HalfFloatConversion {
    private func encodeHalf(_ value: Float) throws -> UInt16 {
        var buffer = PostgresEncodingBuffer()
        try PostgresHalfVector([value]).encode(into: &buffer)
        return UInt16(buffer.bytes[4]) << 8 | UInt16(buffer.bytes[5])
    }

    private func decodeHalf(_ bits: UInt16) throws -> Float {
        let bytes: [UInt8] = [0, 1, 0, 0, UInt8(bits >> 8), UInt8(bits & 0xFF)]
        return try bytes.withUnsafeBytes { raw in
            var buffer = PostgresDecodingBuffer(bytes: raw, typeOID: 0)
            return try PostgresHalfVector.decode(from: &buffer).values[0]
        }
    }

    #if !(os(macOS) && arch(x86_64))
        @Test("every binary16 bit pattern decodes to Float16's value and encodes back")
        func allHalfPatterns() throws {
            for bits in UInt16.min...UInt16.max {
                let expected = Float(Float16(bitPattern: bits))
                let decoded = try decodeHalf(bits)
                if expected.isNaN {
                    #expect(decoded.isNaN)
                    continue
                }
                #expect(decoded.bitPattern == expected.bitPattern)
                #expect(try encodeHalf(decoded) == bits)
            }
        }

        @Test("float to half rounds like Float16, including subnormals, ties and overflow")
        func rounding() throws {
            var samples: [Float] = [
                0, -0, 1, 65504, 65519.99, 65520, 1e10, -1e10, 6e-8, 3e-8, 2.98e-8, 1e-10, 0.1, 1.0009765625,
                1.00048828125,
            ]
            samples += pseudoRandomFloats(count: 20_000, seed: 3).map { $0 * 70_000 }
            samples += pseudoRandomFloats(count: 20_000, seed: 5).map { $0 * 1e-4 }
            for value in samples {
                #expect(try encodeHalf(value) == Float16(value).bitPattern, "value \(value)")
            }
        }
    #endif
}
