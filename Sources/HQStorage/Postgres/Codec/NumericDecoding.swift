/// Decodes the binary `numeric` format (base-10000 digits) into a Double, so aggregates such as
/// `sum(int8)` or `avg(…)` can be read without casts.
enum NumericDecoding {
    static func double(from buffer: inout PostgresDecodingBuffer) throws -> Double {
        let digitCount = Int(try buffer.readInteger(as: Int16.self))
        let weight = Int(try buffer.readInteger(as: Int16.self))
        let sign = try buffer.readInteger(as: UInt16.self)
        _ = try buffer.readInteger(as: Int16.self)  // display scale: irrelevant for a Double
        switch sign {
        case 0xC000: return .nan
        case 0xD000: return .infinity
        case 0xF000: return -.infinity
        default: break
        }
        var value = 0.0
        for index in 0..<digitCount {
            let digit = Double(try buffer.readInteger(as: Int16.self))
            value += digit * pow10000(weight - index)
        }
        return sign == 0x4000 ? -value : value
    }

    private static func pow10000(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10_000 }
        return exponent < 0 ? 1 / result : result
    }
}
