/// The parts of an ONNX model this embedder reads: the graph's nodes (operator, inputs, outputs) and its
/// initialisers, parsed from the protobuf by hand (field numbers from `onnx/onnx.proto`).
///
/// Initialiser data is not copied: `raw_data` points into the memory-mapped file; typed repeated fields
/// (`float_data`, `int32_data`) are decoded into arrays, which quantisation scales and zero points use.
struct ONNXGraph {
    /// One node of the graph, in the file's (topological) order.
    struct Node {
        let opType: String
        let name: String
        let inputs: [String]
        let outputs: [String]
    }

    /// `TensorProto.DataType` values this reader understands.
    enum DataType: Int {
        case float = 1
        case uint8 = 2
        case int8 = 3
        case int32 = 6
        case int64 = 7
    }

    /// One initialiser: its element type, shape and values.
    struct Tensor {
        let name: String
        let dataType: Int
        let dims: [Int]
        /// `raw_data`, little-endian, when the file stores it that way.
        let raw: UnsafeRawBufferPointer?
        let floats: [Float]
        let integers: [Int64]

        var count: Int { dims.reduce(1, *) }

        /// The values as floats, converting integer types; nil if the data is absent or of the wrong size.
        func values() -> [Float]? {
            let n = count
            if let raw {
                switch DataType(rawValue: dataType) {
                case .float?:
                    guard raw.count == n * 4 else { return nil }
                    return (0..<n).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
                case .uint8?:
                    guard raw.count == n else { return nil }
                    return raw.map { Float($0) }
                case .int8?:
                    guard raw.count == n else { return nil }
                    return raw.map { Float(Int8(bitPattern: $0)) }
                default: return nil
                }
            }
            switch DataType(rawValue: dataType) {
            case .float?: return floats.count == n ? floats : nil
            case .uint8?, .int8?, .int32?, .int64?:
                guard integers.count == n else { return nil }
                if dataType == DataType.int8.rawValue { return integers.map { Float(Int8(truncatingIfNeeded: $0)) } }
                if dataType == DataType.uint8.rawValue { return integers.map { Float(UInt8(truncatingIfNeeded: $0)) } }
                return integers.map { Float($0) }
            default: return nil
            }
        }
    }

    let nodes: [Node]
    let initializers: [String: Tensor]
    let inputs: [String]

    /// Parses `ModelProto` bytes.
    /// - Throws: `ProtobufReader.Malformed` for a broken encoding or a missing graph.
    init(model bytes: UnsafeRawBufferPointer) throws(ProtobufReader.Malformed) {
        var reader = ProtobufReader(bytes)
        var graph: UnsafeRawBufferPointer?
        while let field = try reader.next() {
            if field.number == 7, field.wireType == 2 { graph = field.bytes }  // ModelProto.graph
        }
        guard let graph else { throw ProtobufReader.Malformed(offset: 0, why: "no graph in the model") }
        let graphBase = reader.offset(of: graph)
        var nodes: [Node] = []
        var initializers: [String: Tensor] = [:]
        var inputs: [String] = []
        var g = ProtobufReader(graph, base: graphBase)
        while let field = try g.next() {
            guard field.wireType == 2, let body = field.bytes else { continue }
            switch field.number {
            case 1: nodes.append(try Self.node(body, base: g.offset(of: body)))  // GraphProto.node
            case 5:  // GraphProto.initializer
                let tensor = try Self.tensor(body, base: g.offset(of: body))
                initializers[tensor.name] = tensor
            case 11: inputs.append(try Self.valueInfoName(body, base: g.offset(of: body)))  // GraphProto.input
            default: break
            }
        }
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
    }

    private static func string(_ field: ProtobufReader.Field) -> String {
        guard let bytes = field.bytes else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `NodeProto`: input = 1, output = 2, name = 3, op_type = 4.
    private static func node(_ bytes: UnsafeRawBufferPointer, base: Int) throws(ProtobufReader.Malformed) -> Node {
        var reader = ProtobufReader(bytes, base: base)
        var inputs: [String] = []
        var outputs: [String] = []
        var name = ""
        var opType = ""
        while let field = try reader.next() {
            guard field.wireType == 2 else { continue }
            switch field.number {
            case 1: inputs.append(string(field))
            case 2: outputs.append(string(field))
            case 3: name = string(field)
            case 4: opType = string(field)
            default: break
            }
        }
        return Node(opType: opType, name: name, inputs: inputs, outputs: outputs)
    }

    /// `ValueInfoProto`: name = 1.
    private static func valueInfoName(_ bytes: UnsafeRawBufferPointer, base: Int) throws(ProtobufReader.Malformed)
        -> String
    {
        var reader = ProtobufReader(bytes, base: base)
        while let field = try reader.next() {
            if field.number == 1, field.wireType == 2 { return string(field) }
        }
        return ""
    }

    /// `TensorProto`: dims = 1, data_type = 2, float_data = 4, int32_data = 5, int64_data = 7, name = 8,
    /// raw_data = 9, data_location = 14 (1 = external, which is refused).
    private static func tensor(_ bytes: UnsafeRawBufferPointer, base: Int) throws(ProtobufReader.Malformed) -> Tensor {
        var reader = ProtobufReader(bytes, base: base)
        var dims: [Int] = []
        var dataType = 0
        var name = ""
        var raw: UnsafeRawBufferPointer?
        var floats: [Float] = []
        var integers: [Int64] = []
        while let field = try reader.next() {
            let at = field.bytes.map { reader.offset(of: $0) } ?? base
            switch (field.number, field.wireType) {
            case (1, _):
                for value in try ProtobufReader.varints(field, base: at) {
                    let dim = Int64(bitPattern: value)
                    guard dim >= 0, dim < 1 << 32 else {
                        throw ProtobufReader.Malformed(offset: at, why: "dimension \(dim)")
                    }
                    dims.append(Int(dim))
                }
            case (2, 0): dataType = Int(truncatingIfNeeded: field.varint)
            case (4, 2):
                let packed = field.bytes!
                guard packed.count % 4 == 0 else {
                    throw ProtobufReader.Malformed(offset: at, why: "float_data length")
                }
                for k in 0..<packed.count / 4 {
                    floats.append(Float(bitPattern: packed.loadUnaligned(fromByteOffset: k * 4, as: UInt32.self)))
                }
            case (4, 5): floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: field.varint)))
            case (5, _):
                for value in try ProtobufReader.varints(field, base: at) {
                    integers.append(Int64(Int32(truncatingIfNeeded: value)))
                }
            case (7, _):
                for value in try ProtobufReader.varints(field, base: at) { integers.append(Int64(bitPattern: value)) }
            case (8, 2): name = string(field)
            case (9, 2): raw = field.bytes
            case (14, 0):
                if field.varint == 1 {
                    throw ProtobufReader.Malformed(offset: at, why: "tensor \(name) uses external data")
                }
            default: break
            }
        }
        guard dims.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }) < Int(Int32.max)
        else {
            throw ProtobufReader.Malformed(offset: base, why: "tensor \(name) is too large")
        }
        return Tensor(name: name, dataType: dataType, dims: dims, raw: raw, floats: floats, integers: integers)
    }
}
