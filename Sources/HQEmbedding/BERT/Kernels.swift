/// Element-wise parts of the forward pass, vectorised with `SIMD8<Float>`: LayerNorm, GELU, softmax.
///
/// All take raw row-major buffers so the hot loop allocates nothing.
enum Kernels {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    // MARK: LayerNorm

    /// Normalises one row in place: `(x − mean) / sqrt(var + ε) · γ + β`, biased variance, two passes.
    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, count n: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float
    ) {
        let vectorEnd = n & ~7
        var acc = Vector.zero
        var j = 0
        while j < vectorEnd {
            acc += load(x + j)
            j += 8
        }
        var sum = acc.sum()
        while j < n {
            sum += x[j]
            j += 1
        }
        let mean = sum / Float(n)
        var squares = Vector.zero
        j = 0
        while j < vectorEnd {
            let d = load(x + j) - mean
            squares += d * d
            j += 8
        }
        var variance = squares.sum()
        while j < n {
            let d = x[j] - mean
            variance += d * d
            j += 1
        }
        variance /= Float(n)
        let inverse = 1 / (variance + epsilon).squareRoot()
        j = 0
        while j < vectorEnd {
            store((load(x + j) - mean) * inverse * load(gamma + j) + load(beta + j), x + j)
            j += 8
        }
        while j < n {
            x[j] = (x[j] - mean) * inverse * gamma[j] + beta[j]
            j += 1
        }
    }

    // MARK: exp

    /// `exp(x)` lane-wise, within 2 ulp over the float range: Cody–Waite reduction by ln 2 and a
    /// degree-7 Taylor polynomial on |r| ≤ ln2/2. Inputs below −87 give ≈1e-38 rather than 0.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        // Compare-and-blend rather than `clamped`/`pointwiseMin`, which the optimizer leaves as calls.
        var clamped = x.replacing(with: -87, where: x .< -87)
        clamped.replace(with: 88, where: clamped .> 88)
        // Adding 1.5·2^23 rounds to an integer in the low mantissa bits (round-to-nearest).
        let shifter = Vector(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6
        var p = Vector(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(shifter, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((exponent &+ 127) &<< 23, to: Vector.self)
        return p * scale
    }

    // MARK: GELU

    /// Exact GELU in place, `x · Φ(x) = ½x · erfc(−x/√2)`, for `count` floats.
    ///
    /// erfc(z) for z ≥ 0 is `t · exp(−z² + P(t))`, t = 1/(1 + z/2), with the degree-9 Chebyshev fit of
    /// Numerical Recipes §6.2 (fractional error < 1.2e-7); negative arguments use erfc(−z) = 2 − erfc(z).
    /// Working in erfc keeps full relative accuracy for negative inputs, where Φ is tiny.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let vectorEnd = count & ~7
        var j = 0
        while j < vectorEnd {
            store(gelu(load(x + j)), x + j)
            j += 8
        }
        if j < count {
            var tail = Vector.zero
            for k in 0..<(count - j) { tail[k] = x[j + k] }
            let result = gelu(tail)
            for k in 0..<(count - j) { x[j + k] = result[k] }
        }
    }

    @inline(__always)
    static func gelu(_ x: Vector) -> Vector {
        let z = x * -0.707_106_781_186_547_5  // erfc argument −x/√2
        let a = z.replacing(with: -z, where: z .< 0)
        let t = 1 / (a * 0.5 + 1)
        var p = Vector(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let erfcAbs = t * exp(p - a * a)
        let erfc = erfcAbs.replacing(with: 2 - erfcAbs, where: z .< 0)
        return x * 0.5 * erfc
    }

    // MARK: softmax

    /// Softmax of one row of `count` scores in place (max-subtracted).
    static func softmax(_ s: UnsafeMutablePointer<Float>, count n: Int) {
        let vectorEnd = n & ~7
        var maxVector = Vector(repeating: -.infinity)
        var j = 0
        while j < vectorEnd {
            let v = load(s + j)
            maxVector.replace(with: v, where: v .> maxVector)
            j += 8
        }
        var maximum = maxVector.max()
        while j < n {
            maximum = Swift.max(maximum, s[j])
            j += 1
        }
        var sums = Vector.zero
        j = 0
        while j < vectorEnd {
            let e = exp(load(s + j) - maximum)
            store(e, s + j)
            sums += e
            j += 8
        }
        var sum = sums.sum()
        if j < n {
            var tail = Vector(repeating: -.infinity)
            for k in 0..<(n - j) { tail[k] = s[j + k] - maximum }
            let e = exp(tail)
            for k in 0..<(n - j) {
                s[j + k] = e[k]
                sum += e[k]
            }
        }
        let inverse = 1 / sum
        j = 0
        while j < vectorEnd {
            store(load(s + j) * inverse, s + j)
            j += 8
        }
        while j < n {
            s[j] *= inverse
            j += 1
        }
    }
}
