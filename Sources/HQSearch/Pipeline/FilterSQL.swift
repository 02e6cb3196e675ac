import Foundation
import HQStorage

/// A filter with folders and sources resolved to ids, ready to become SQL.
struct ResolvedFilter: Sendable {
    var filter: SearchFilter
    /// Folder ids (the folder itself; descendants match through `folder_ids`); nil: no folder filter.
    var folderIDs: [String]?
    /// Knowledge source ids; nil: no source filter.
    var sourceIDs: [String]?

    var isEmpty: Bool { filter.isEmpty }
}

/// Which table's filter columns a predicate reads.
enum FilterTarget {
    /// `knowledge_chunk_vectors` (alias `v`): the dense leg; filters run inside the index scan.
    case vectors
    /// `knowledge_sources` (alias `s`): the lexical leg and listing.
    case sources
}

extension ResolvedFilter {
    /// Appends ` AND …` predicates (archived always excluded) for `target`.
    func appendPredicates(to builder: inout PostgresQueryBuilder, target: FilterTarget) {
        let p: String
        let sourceColumn: String
        let updatedColumn = "source_updated_at"
        switch target {
        case .vectors:
            p = "v."
            sourceColumn = "v.source_id"
            builder.append(" AND NOT v.archived")
        case .sources:
            p = "s."
            sourceColumn = "s.id"
            builder.append(" AND s.archived_at IS NULL")
        }
        if !filter.tags.isEmpty {
            let op = filter.tagMatch == .all ? "@>" : "&&"
            builder.append(" AND \(p)tags \(op) \(builder.bind(filter.tags))::text[]")
        }
        if !filter.excludedTags.isEmpty {
            builder.append(" AND NOT (\(p)tags && \(builder.bind(filter.excludedTags))::text[])")
        }
        if let folderIDs {
            builder.append(" AND \(p)folder_ids && \(builder.bind(folderIDs))::uuid[]")
        }
        if let type = filter.sourceType {
            builder.append(" AND \(p)source_type = \(builder.bind(type.rawValue))")
        }
        if !filter.assetTypes.isEmpty {
            builder.append(" AND \(p)asset_type = ANY (\(builder.bind(filter.assetTypes))::text[])")
        }
        if let pinned = filter.pinned {
            builder.append(" AND \(p)pinned = \(builder.bind(pinned))")
        }
        if let after = filter.updatedAfter {
            builder.append(" AND \(p)\(updatedColumn) >= \(builder.bind(after))")
        }
        if let before = filter.updatedBefore {
            builder.append(" AND \(p)\(updatedColumn) < \(builder.bind(before))")
        }
        if let sourceIDs {
            builder.append(" AND \(sourceColumn) = ANY (\(builder.bind(sourceIDs))::uuid[])")
        }
    }
}
