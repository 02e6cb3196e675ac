extension Kernels {
    /// Rounds `count` values to the 8-bit grid onnxruntime's `DynamicQuantizeLinear` puts them on, and
    /// back to floats: `scale = (max(x, 0) − min(x, 0)) / 255`, `zero = round(−min / scale)`,
    /// `q = clamp(round(x / scale) + zero, 0, 255)`, result `(q − zero) · scale` (rounding half to even).
    ///
    /// A dense product over the result and dequantised int8 weights equals `MatMulInteger` followed by the
    /// graph's scale multiplication, up to fp32 summation order.
    /// - Parameters:
    ///   - source: the values, one tensor (one sequence's rows).
    ///   - target: receives the rounded values; may be `source` itself.
    /// - Complexity: two passes over `count` values.
    static func fakeQuantize(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var low: Float = 0
        var high: Float = 0
        for j in 0..<count {
            low = min(low, source[j])
            high = max(high, source[j])
        }
        let scale = (high - low) / 255
        guard scale > 0, scale.isFinite else {
            target.update(repeating: 0, count: count)
            return
        }
        let zero = min(max((-low / scale).rounded(.toNearestOrEven), 0), 255)
        for j in 0..<count {
            let q = min(max((source[j] / scale).rounded(.toNearestOrEven) + zero, 0), 255)
            target[j] = (q - zero) * scale
        }
    }
}
