import CPostgres

/// Parameterised statements, the prepared-statement cache and type lookup. Queue-confined.
extension ConnectionHandle {
    /// Runs one parameterised statement through the prepared-statement cache.
    func executeOnQueue(_ query: PostgresQuery) throws -> PostgresRows {
        let connection = try requireConnection()
        let parameters = try encodeBindings(query.bindings)
        let key = StatementCache.key(sql: query.sql, types: parameters.types)
        var retried = false
        while true {
            let name = try preparedStatement(for: key, sql: query.sql, types: parameters.types)
            let result = parameters.withPointers { values, lengths, formats in
                PQexecPrepared(connection, name, Int32(parameters.types.count), values, lengths, formats, 1)
            }
            do {
                return try rows(from: result)
            } catch let error as PostgresError where error.sqlState == "0A000" && error.message.contains("cached plan")
            {
                // The table changed shape under a cached plan (e.g. a migration); prepare afresh once.
                statements.remove(key)
                _ = try? executeSimpleOnQueue("DEALLOCATE \(name)")
                guard !retried, PQtransactionStatus(connection) == PQTRANS_IDLE else { throw error }
                retried = true
            }
        }
    }

    /// Runs SQL through the simple query protocol: several statements, no parameters.
    @discardableResult
    func executeSimpleOnQueue(_ sql: String) throws -> PostgresRows {
        let connection = try requireConnection()
        return try rows(from: PQexec(connection, sql))
    }

    /// Runs a script and forgets cached type OIDs, since scripts create and drop extensions and types.
    func executeScriptOnQueue(_ sql: String) throws {
        defer { typeOIDs.removeAll() }
        try executeSimpleOnQueue(sql)
    }

    private func preparedStatement(for key: String, sql: String, types: [UInt32]) throws -> String {
        if let name = statements.name(for: key) { return name }
        let connection = try requireConnection()
        let (name, evicted) = statements.insert(key)
        if let evicted { _ = try? executeSimpleOnQueue("DEALLOCATE \(evicted)") }
        do {
            _ = try rows(from: PQprepare(connection, name, sql, Int32(types.count), types))
        } catch {
            statements.remove(key)
            throw error
        }
        return name
    }

    private func encodeBindings(_ bindings: [any PostgresEncodable]) throws -> EncodedParameters {
        var parameters = EncodedParameters()
        for (position, binding) in bindings.enumerated() {
            parameters.types.append(try resolve(type(of: binding).postgresType))
            guard !binding.isPostgresNull else {
                parameters.ranges.append(nil)
                continue
            }
            let start = parameters.buffer.bytes.count
            do {
                try binding.encode(into: &parameters.buffer)
            } catch var error as PostgresError {
                error.message += " (parameter $\(position + 1))"
                throw error
            }
            parameters.ranges.append(start..<parameters.buffer.bytes.count)
        }
        return parameters
    }

    /// Finds a type by name on the search path, else in any schema, preferring `extensions` (where the
    /// migrations install pgvector, as Supabase does; it is not on a default search path).
    static let typeLookupSQL = """
        SELECT COALESCE(to_regtype($1)::oid, (SELECT t.oid FROM pg_catalog.pg_type t \
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = $1 \
        ORDER BY n.nspname = 'extensions' DESC, n.nspname LIMIT 1))
        """

    /// The OID for a parameter type, looking up named (extension) types once per session.
    func resolve(_ type: PostgresDataType) throws -> UInt32 {
        switch type.storage {
        case .oid(let oid):
            return oid
        case .named(let name):
            if let oid = typeOIDs[name] { return oid }
            let connection = try requireConnection()
            let result = name.withCString { value in
                withUnsafePointer(to: value) { values in
                    PQexecParams(connection, Self.typeLookupSQL, 1, nil, values, nil, nil, 1)
                }
            }
            let rows = try rows(from: result)
            guard let oid = try rows.first?.decode(Int64?.self, column: 0) else {
                throw PostgresError(
                    .encoding, message: "type \(name) does not exist in this database (is its extension installed?)")
            }
            typeOIDs[name] = UInt32(oid)
            return UInt32(oid)
        }
    }
}
