/// IEEE-754 binary16 conversion by bit manipulation: `Float16` is not available on every platform
/// the package targets (macOS on Intel), and halfvec only needs the bit patterns.
enum HalfFloat {
    /// Rounds to the nearest binary16 (ties to even); overflow becomes infinity, NaN stays NaN.
    static func bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Subnormal half (or zero): shift the mantissa with its implicit bit into place.
            guard halfExponent >= -10 else { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - halfExponent)
            return sign | UInt16(roundShift(mantissa, by: shift))
        }
        // Rounding may carry into the exponent, which is exactly the right result (up to infinity).
        let combined = (UInt32(halfExponent) << 23) | mantissa
        return sign | UInt16(roundShift(combined, by: 13))
    }

    /// The exact Float value of a binary16 bit pattern.
    static func float(from bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
        }
    }

    /// `value >> shift`, rounded to nearest with ties to even.
    private static func roundShift(_ value: UInt32, by shift: UInt32) -> UInt32 {
        let truncated = value >> shift
        let remainder = value & ((1 << shift) - 1)
        let half = UInt32(1) << (shift - 1)
        if remainder > half || (remainder == half && truncated & 1 == 1) { return truncated + 1 }
        return truncated
    }
}
