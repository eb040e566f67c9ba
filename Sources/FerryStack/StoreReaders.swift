import FerryCore
import FerryStore
import FerryYAML
import Foundation

/// Reads the stacks and components of a ZenML SQLite store of any era, read-only.
///
/// Tables by era (ZenML's `src/zenml/zen_stores/schemas/` and alembic migrations):
/// - 0.1x (`sql_zen_store.py@0.13.2`): `zenstackcomponent(id, type, flavor, name, configuration)`
///   with `configuration` = base64 of the component's YAML, `zenstack(name)`,
///   `zenstackdefinition(stack_name, component_id)`.
/// - 0.20.x (`component_schemas.py@0.20.5`): `stackcomponentschema`, `stackschema`,
///   `stackcompositionschema`, `configuration` = base64 of JSON.
/// - 0.30 and later (renamed by migration `5330ba58bf20`, 0.30.0): `stack_component`, `stack`,
///   `stack_composition`; ids are 32 hex digits without dashes.
/// - 0.34–0.52 also keep the centralized secrets in `secret(name, scope, values, …)`.
enum SQLStoreReader {
    static func read(path: String, environment: [String: String]) throws -> StoreContents {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FerryError(.notFound, code: .noDatabase, "The ZenML database '\(path)' does not exist.")
        }
        let database = try SQLiteDatabase(path: path, readOnly: true, create: false, busyTimeoutMilliseconds: 2_000)
        let tables = Set(try database.query("SELECT name FROM sqlite_master WHERE type = 'table'") { $0.text(0) ?? "" })
        let layout: (era: StoreEra, component: String, stack: String, composition: String)
        if tables.contains("stack_component") {
            layout = (.sql030, "stack_component", "stack", "stack_composition")
        } else if tables.contains("stackcomponentschema") {
            layout = (.sql020, "stackcomponentschema", "stackschema", "stackcompositionschema")
        } else if tables.contains("zenstackcomponent") {
            return try read01x(database, path: path)
        } else {
            throw FerryError(.unsupported, code: .unknownSchema,
                             "'\(path)' has none of the tables of a ZenML store (stack_component, stackcomponentschema or zenstackcomponent): not a ZenML database, or an era Ferry does not know.")
        }
        for table in [layout.stack, layout.composition] where !tables.contains(table) {
            throw FerryError(.corruptData, code: .missingTable, "'\(path)' has `\(layout.component)` but no `\(table)` table.")
        }
        let components = try database.query("SELECT id, name, type, flavor, configuration FROM \(layout.component) ORDER BY created, name") { row in
            let name = row.text(1) ?? ""
            let where_ = "component `\(name)` in table \(layout.component) of '\(path)'"
            // One unreadable configuration does not hide the rest of the installation: it is reported.
            var configuration: [(key: String, value: PythonJSON.Value)] = []
            var problem: String?
            do {
                configuration = try decodeJSONConfiguration(row.blob(4) ?? Data((row.text(4) ?? "").utf8), where: where_)
            } catch let error as FerryError {
                problem = error.message
            }
            return StackComponentRecord(id: row.text(0).flatMap(UUID.init(flexible:)), name: name, type: row.text(2) ?? "",
                                        flavor: row.text(3) ?? "", configuration: configuration, source: "'\(path)'", problem: problem)
        }
        let byID = Dictionary(components.compactMap { record in record.id.map { ($0, record) } }, uniquingKeysWith: { first, _ in first })
        let compositions = try database.query("SELECT stack_id, component_id FROM \(layout.composition)") { row in
            (row.text(0).flatMap(UUID.init(flexible:)), row.text(1).flatMap(UUID.init(flexible:)))
        }
        let stacks = try database.query("SELECT id, name FROM \(layout.stack) ORDER BY created, name") { row -> StackRecord in
            let id = row.text(0).flatMap(UUID.init(flexible:))
            let members = compositions.filter { $0.0 == id }.compactMap { $0.1.flatMap { byID[$0] } }
            return StackRecord(id: id, name: row.text(1) ?? "", components: members.map { ($0.type, $0) })
        }
        return StoreContents(era: layout.era, components: components, stacks: stacks,
                             secrets: tables.contains("secret") ? try readSecrets(database, path: path, environment: environment) : [])
    }

    /// `base64(json.dumps(configuration))` (ZenML 0.20.5–0.98.0 `component_schemas.py`).
    static func decodeJSONConfiguration(_ stored: Data, where place: String) throws -> [(key: String, value: PythonJSON.Value)] {
        guard let text = String(data: stored, encoding: .utf8), let json = PythonBase64.decodeUTF8(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              case .object(let pairs)? = try? PythonJSON.parse(json)
        else {
            throw FerryError(.corruptData, code: .badConfiguration, "The configuration of \(place) is not base64-encoded JSON of a mapping.")
        }
        return pairs
    }

    /// The 0.1x SQL profile store: configurations are base64 of the component's YAML.
    static func read01x(_ database: SQLiteDatabase, path: String) throws -> StoreContents {
        let components = try database.query("SELECT id, name, type, flavor, configuration FROM zenstackcomponent") { row in
            let name = row.text(1) ?? ""
            let stored = row.blob(4) ?? Data((row.text(4) ?? "").utf8)
            let place = "component `\(name)` in table zenstackcomponent of '\(path)'"
            guard let text = String(data: stored, encoding: .utf8),
                  let yaml = PythonBase64.decodeUTF8(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let node = try? SafeYAML.compose(yaml, source: place), case .object(let pairs) = SafeYAML.value(node)
            else {
                throw FerryError(.corruptData, code: .badConfiguration, "The configuration of \(place) is not base64-encoded YAML of a mapping.")
            }
            return StackComponentRecord(id: row.text(0).flatMap(UUID.init(flexible:)), name: name, type: row.text(2) ?? "",
                                        flavor: row.text(3) ?? "", configuration: pairs.filter { $0.key != "uuid" && $0.key != "name" },
                                        source: "'\(path)'")
        }
        let byID = Dictionary(components.compactMap { record in record.id.map { ($0, record) } }, uniquingKeysWith: { first, _ in first })
        let definitions = try database.query("SELECT stack_name, component_id FROM zenstackdefinition") { row in
            (row.text(0) ?? "", row.text(1).flatMap(UUID.init(flexible:)))
        }
        let stacks = try database.query("SELECT name FROM zenstack ORDER BY name") { row -> StackRecord in
            let name = row.text(0) ?? ""
            let members = definitions.filter { $0.0 == name }.compactMap { $0.1.flatMap { byID[$0] } }
            return StackRecord(id: nil, name: name, components: members.map { ($0.type, $0) })
        }
        return StoreContents(era: .sql01x, components: components, stacks: stacks, secrets: [])
    }

    /// ZenML 0.34–0.52's centralized secrets (`secret` table): name, scope and values, decoded with
    /// `ZENML_SECRETS_STORE_ENCRYPTION_KEY` when the values are encrypted.
    static func readSecrets(_ database: SQLiteDatabase, path: String, environment: [String: String]) throws -> [ZenMLInstallation.CentralizedSecret] {
        let columns = Set(try database.query("SELECT name FROM pragma_table_info('secret')") { $0.text(0) ?? "" })
        guard columns.contains("name"), columns.contains("values") else { return [] }
        let codec = ZenMLValuesCodec(encryptionKey: environment["ZENML_SECRETS_STORE_ENCRYPTION_KEY"])
        let scopeColumn = columns.contains("scope") ? "scope" : "NULL"
        return try database.query("SELECT name, \(scopeColumn), \"values\" FROM secret ORDER BY name") { row in
            let name = row.text(0) ?? ""
            let values: Result<SecretValues, FerryError>
            if let stored = ZenMLValuesCodec.Stored(row, column: 2) {
                do {
                    values = .success(try codec.decode(stored, secret: "`\(name)` of '\(path)'"))
                } catch let error as FerryError {
                    values = .failure(error)
                }
            } else {
                values = .failure(FerryError(.notFound, code: .valuesElsewhere,
                                             "The values of secret `\(name)` are not in '\(path)' (an external secrets store kept them)."))
            }
            return ZenMLInstallation.CentralizedSecret(name: name, scope: row.isNull(1) ? nil : row.text(1), values: values)
        }
    }
}

/// Reads a ZenML 0.1x local YAML store (`ZS/local_zen_store.py@0.13.2`): `stacks.yaml`
/// (`stacks: {<stack>: {<type>: <component name>}}`, `stack_components: {<type>: {<name>: <flavor>}}`)
/// and one `<type plural>/<name>.yaml` per component with its whole pydantic JSON.
enum YAMLStoreReader {
    /// `StackComponentType.plural` (0.13.2): `value + "s"`, except `container_registries`.
    static func plural(_ type: String) -> String { type == "container_registry" ? "container_registries" : type + "s" }

    static func read(directory: String) throws -> StoreContents {
        let stacksFile = directory + "/stacks.yaml"
        guard FileManager.default.fileExists(atPath: stacksFile) else {
            throw FerryError(.notFound, code: .noStacksFile, "The ZenML 0.1x store '\(directory)' has no stacks.yaml.")
        }
        let top = try ZenMLInstallation.readYAMLMapping(stacksFile, required: true)
        func mapping(_ key: String) throws -> [(key: String, value: PythonJSON.Value)] {
            guard let value = top.first(where: { $0.key == key })?.value, value != .null else { return [] }
            guard case .object(let pairs) = value else {
                throw FerryError(.corruptData, code: .configShape, "`\(key)` in '\(stacksFile)' is not a mapping.")
            }
            return pairs
        }
        var components: [StackComponentRecord] = []
        for (type, entries) in try mapping("stack_components") {
            guard case .object(let byName) = entries else {
                throw FerryError(.corruptData, code: .configShape, "`stack_components.\(type)` in '\(stacksFile)' is not a mapping.")
            }
            for (name, flavor) in byName {
                let file = directory + "/" + plural(type) + "/" + name + ".yaml"
                let fields = try ZenMLInstallation.readYAMLMapping(file, required: false)
                let id = fields.first(where: { $0.key == "uuid" })?.value.text.flatMap(UUID.init(flexible:))
                components.append(StackComponentRecord(id: id, name: name, type: type, flavor: flavor.text ?? "",
                                                       configuration: fields.filter { $0.key != "uuid" && $0.key != "name" },
                                                       source: "'\(file)'"))
            }
        }
        var stacks: [StackRecord] = []
        for (name, members) in try mapping("stacks") {
            guard case .object(let byType) = members else {
                throw FerryError(.corruptData, code: .configShape, "`stacks.\(name)` in '\(stacksFile)' is not a mapping.")
            }
            let parts = byType.compactMap { type, componentName -> (String, StackComponentRecord)? in
                components.first { $0.type == type && $0.name == componentName.text }.map { (type, $0) }
            }
            stacks.append(StackRecord(id: nil, name: name, components: parts))
        }
        return StoreContents(era: .yaml01x, components: components, stacks: stacks, secrets: [])
    }
}
