public import Foundation

/// A secret of the centralized secrets store: metadata plus its values.
///
/// Metadata mirrors ZenML ≥ 0.80's `secret` table: a UUID, a name, the `private` flag, the
/// owning user, and naive-UTC created/updated times. ``values`` is nil when only metadata was
/// loaded (as in a listing).
///
/// ```swift
/// let secret = Secret(name: "db", values: ["password": "hunter2"], owner: user)
/// ```
public struct Secret: Sendable, Equatable, CustomStringConvertible {
    public var id: UUID
    public var name: String
    /// ZenML ≥ 0.80 `private`: visible to its owner only.
    public var isPrivate: Bool
    /// The owning user's id.
    public var owner: UUID
    public var created: Date
    public var updated: Date
    public var values: SecretValues?

    public init(id: UUID = UUID(), name: String, isPrivate: Bool = false, owner: UUID,
                created: Date = Date(), updated: Date? = nil, values: SecretValues? = nil)
    {
        self.id = id
        self.name = name
        self.isPrivate = isPrivate
        self.owner = owner
        self.created = created
        self.updated = updated ?? created
        self.values = values
    }

    public var description: String {
        "Secret(\(name), id: \(id.uuidString.lowercased()), \(isPrivate ? "private" : "public"), keys: \(values?.keys ?? []))"
    }
}

/// A secret as a legacy secrets manager holds it: name, schema type and values.
///
/// ``values`` is ZenML's `secret.content` (schema fields in declaration order, `None` fields
/// dropped, booleans as Python spells them) or, for an unknown schema, the raw stored map.
public struct LegacySecret: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    /// The stored `zenml_schema_name` (`arbitrary` when none was given).
    public var schemaType: String
    public var values: SecretValues

    public init(name: String, schemaType: String = SecretSchema.arbitraryType, values: SecretValues) {
        self.name = name
        self.schemaType = schemaType
        self.values = values
    }

    /// The built-in schema, or nil when the type is unknown to Ferry (the raw map is kept).
    public var schema: SecretSchema? { SecretSchema.named(schemaType) }

    /// How the values fit the recorded schema.
    public var conformance: SchemaConformance {
        guard let schema else { return .unknownSchema }
        return schema.conformance(of: values)
    }

    public var description: String { "LegacySecret(\(name), schema: \(schemaType), keys: \(values.keys))" }
}
