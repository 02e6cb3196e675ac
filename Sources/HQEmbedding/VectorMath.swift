import CBLAS

/// Dense vector products on OpenBLAS for the query service (exact rerank, MMR).
///
/// Matrices are row-major `[rows × dimensions]` `Float` buffers. Callers keep the sizes small
/// (a few hundred candidates × 384): these run inline on the calling thread.
public enum VectorMath {
    /// Dot products of every row of `matrix` with `vector`, in one `cblas_sgemv` call.
    ///
    /// - Parameters:
    ///   - matrix: row-major `[rows × dimensions]`.
    ///   - rows: number of rows.
    ///   - vector: `dimensions` floats.
    /// - Returns: `rows` dot products, in row order.
    /// - Complexity: O(rows × dimensions).
    public static func dotProducts(matrix: [Float], rows: Int, vector: [Float]) -> [Float] {
        let dimensions = vector.count
        precondition(matrix.count == rows * dimensions, "matrix must be rows × vector.count")
        guard rows > 0, dimensions > 0 else { return [Float](repeating: 0, count: rows) }
        var result = [Float](repeating: 0, count: rows)
        matrix.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    cblas_sgemv(
                        CblasRowMajor, CblasNoTrans, Int32(rows), Int32(dimensions), 1, a.baseAddress,
                        Int32(dimensions),
                        x.baseAddress, 1, 0, y.baseAddress, 1)
                }
            }
        }
        return result
    }

    /// Cosine similarity of every row of `matrix` with `vector`: one `cblas_sgemv` for the dot
    /// products, row norms computed alongside. A zero row or zero vector scores 0.
    ///
    /// - Parameters:
    ///   - matrix: row-major `[rows × dimensions]`.
    ///   - rows: number of rows.
    ///   - vector: `dimensions` floats.
    /// - Returns: `rows` cosines in `[-1, 1]`, in row order.
    /// - Complexity: O(rows × dimensions).
    public static func cosineSimilarities(matrix: [Float], rows: Int, vector: [Float]) -> [Float] {
        let dots = dotProducts(matrix: matrix, rows: rows, vector: vector)
        let dimensions = vector.count
        let queryNorm = norm(vector[...])
        guard queryNorm > 0 else { return [Float](repeating: 0, count: rows) }
        var result = dots
        for row in 0..<rows {
            let rowNorm = norm(matrix[(row * dimensions)..<((row + 1) * dimensions)])
            result[row] = rowNorm > 0 ? dots[row] / (rowNorm * queryNorm) : 0
        }
        return result
    }

    /// The Gram matrix `A·Aᵀ` of row-major `[rows × dimensions]` unit rows (cosine matrix), in one
    /// `cblas_sgemm` call.
    ///
    /// - Returns: row-major `[rows × rows]`.
    /// - Complexity: O(rows² × dimensions).
    public static func gram(matrix: [Float], rows: Int, dimensions: Int) -> [Float] {
        precondition(matrix.count == rows * dimensions, "matrix must be rows × dimensions")
        guard rows > 0, dimensions > 0 else { return [] }
        var result = [Float](repeating: 0, count: rows * rows)
        matrix.withUnsafeBufferPointer { a in
            result.withUnsafeMutableBufferPointer { c in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(rows), Int32(dimensions), 1,
                    a.baseAddress, Int32(dimensions), a.baseAddress, Int32(dimensions), 0, c.baseAddress, Int32(rows))
            }
        }
        return result
    }

    /// Scales `vector` to unit length (a zero vector stays zero).
    public static func normalized(_ vector: [Float]) -> [Float] {
        let length = norm(vector[...])
        guard length > 0 else { return vector }
        return vector.map { $0 / length }
    }

    private static func norm(_ values: ArraySlice<Float>) -> Float {
        var sum: Float = 0
        for value in values { sum += value * value }
        return sum.squareRoot()
    }
}
