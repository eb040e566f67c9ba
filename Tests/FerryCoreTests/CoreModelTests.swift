import Foundation
import Testing
@testable import FerryCore

@Suite struct SecretValuesTests {
    @Test func redactsInEveryPrintedForm() {
        let values: SecretValues = ["password": "hunter2-s3cr3t", "user": "admin-name"]
        let printed = ["\(values)", String(describing: values), String(reflecting: values), "\(Optional(values) as Any)"]
        var dumped = ""
        dump(values, to: &dumped)
        for text in printed + [dumped] {
            #expect(!text.contains("hunter2-s3cr3t"))
            #expect(!text.contains("admin-name"))
        }
        #expect("\(values)".contains("password"))
        #expect(values.revealed("password") == "hunter2-s3cr3t")
    }

    @Test func keepsInsertionOrderAndComparesLikeADict() {
        var values = SecretValues([("c", "3"), ("a", "1"), ("b", "2")])
        #expect(values.keys == ["c", "a", "b"])
        values["a"] = "one"
        values["c"] = nil
        #expect(values.keys == ["a", "b"])
        #expect(values == SecretValues([("b", "2"), ("a", "one")]))
        #expect(values != SecretValues([("b", "2"), ("a", "1")]))
        #expect(values.utf8ByteCount == "a".utf8.count + "one".utf8.count + 2)
    }
}

@Suite struct ScopePathTests {
    let id = UUID(uuidString: "12345678-1234-5678-1234-567812345678")!

    // Reference: zenml-legacy-secrets-managers.md §3.9 (observed ZenML 0.39.1 calls).
    @Test func scopedNamesForBothSeparators() {
        let cases: [(LegacyScope, String?, String, String)] = [
            (.none, nil, "db_creds", "db_creds"),
            (.global, nil, "zenml/global/db_creds", "zenml-global-db_creds"),
            (.component, nil, "zenml/component/12345678-1234-5678-1234-567812345678/db_creds",
             "zenml-component-12345678-1234-5678-1234-567812345678-db_creds"),
            (.namespace, "team-a", "zenml/namespace/team-a/db_creds", "zenml-namespace-team-a-db_creds"),
        ]
        for (scope, namespace, slash, dash) in cases {
            let path = ScopePath(scope: scope, componentID: id, namespace: namespace)
            #expect(path.scopedName("db_creds", separator: "/") == slash)
            #expect(path.scopedName("db_creds", separator: "-") == dash)
            #expect(path.unscopedName(of: slash, separator: "/") == "db_creds")
        }
        #expect(ScopePath(scope: .none).namePrefix(separator: "/") == "/")
        #expect(ScopePath(scope: .global).namePrefix(separator: "/") == "zenml/global/")
    }

    @Test func unscopedNameRejectsOtherScopes() {
        let component = ScopePath(scope: .component, componentID: id)
        #expect(component.unscopedName(of: "zenml/global/db", separator: "/") == nil)
        #expect(component.unscopedName(of: "zenml/component/\(UUID().uuidString.lowercased())/db", separator: "/") == nil)
        #expect(ScopePath(scope: .none).unscopedName(of: "a/b", separator: "/") == nil)
        #expect(ScopePath(scope: .global).unscopedName(of: "zenml/global/", separator: "/") == nil)
        // A `-` scope cannot find names that contain `-` (ZenML splits on every separator).
        #expect(ScopePath(scope: .global).unscopedName(of: "zenml-global-db-creds", separator: "-") == nil)
    }

    @Test func metadataInZenMLsOrder() {
        let component = ScopePath(scope: .component, componentID: id)
        #expect(component.secretMetadata(secretName: "db_creds", componentName: "MySM", schemaType: "arbitrary").map(\.key)
            == ["zenml_scope", "zenml_secret_name", "zenml_component_uuid", "zenml_component_name", "zenml_secret_schema"])
        let namespace = ScopePath(scope: .namespace, componentID: id, namespace: "team-a")
        #expect(namespace.secretMetadata(secretName: "db_creds", componentName: "MySM", schemaType: "arbitrary").map(\.key)
            == ["zenml_scope", "zenml_secret_name", "zenml_namespace", "zenml_component_name", "zenml_component_uuid", "zenml_secret_schema"])
        #expect(ScopePath(scope: .none).secretMetadata(secretName: "x", componentName: "c", schemaType: "aws").isEmpty)
        #expect(ScopePath(scope: .global).scopeMetadata().map(\.value) == ["global"])
    }
}

@Suite struct SecretReferenceTests {
    @Test func grammarOfBothEras() {
        let reference = SecretReference(parsing: "{{db.password}}", era: .zenml013)
        #expect(reference == SecretReference(name: "db", key: "password"))
        #expect(SecretReference(parsing: "{{ db.password }}", era: .zenml013) == nil)
        #expect(SecretReference(parsing: "{{ db.password }}", era: .zenml040) == SecretReference(name: "db", key: "password"))
        #expect(SecretReference(parsing: "{{db.nested.key}}")?.key == "nested.key")
        #expect(SecretReference(parsing: "{{.a.b}}") == SecretReference(name: "", key: "a.b"))
        for notReference in ["{{db}}", "{{db.}}", "{{..}}", "x{{db.key}}", "{{db.key}} ", "{{db key.x}}", "{db.key}", "{{ db. key }}"] {
            #expect(SecretReference(parsing: notReference) == nil, "\(notReference)")
        }
        #expect(SecretReference(parsing: "{{\u{3000}db.k\u{3000}}}", era: .zenml040) == SecretReference(name: "db", key: "k"))
    }
}

@Suite struct SchemaTests {
    @Test func typedSchemasRejectUnknownAndMissingKeys() throws {
        let aws = try SecretSchema.require("aws")
        #expect(throws: FerryError.self) { try aws.validate(["aws_access_key_id": "A"]) }
        #expect(throws: FerryError.self) { try aws.validate(["aws_access_key_id": "A", "aws_secret_access_key": "B", "extra": "C"]) }
        let content = try aws.validate(["aws_secret_access_key": "B", "aws_access_key_id": "A"])
        #expect(content.keys == ["aws_access_key_id", "aws_secret_access_key"])
        do {
            _ = try aws.validate(["aws_access_key_id": "A"])
        } catch let error as FerryError {
            #expect(error.message.contains("1 validation error for AWSSecretSchema"))
            #expect(error.message.contains("aws_secret_access_key\n  field required"))
        }
    }

    @Test func defaultsBooleansAndLiteralsAsZenMLStoresThem() throws {
        let seldon = try SecretSchema.require("seldon_s3")
        let content = try seldon.validate(["rclone_config_s3_env_auth": "yes", "rclone_config_s3_region": "eu-west-1"])
        #expect(content["rclone_config_s3_type"] == "s3")
        #expect(content["rclone_config_s3_provider"] == "aws")
        #expect(content["rclone_config_s3_env_auth"] == "True")
        #expect(content.keys.first == "rclone_config_s3_type")
        #expect { try seldon.validate(["rclone_config_s3_type": "gcs-secret-ish"]) } throws: {
            let message = ($0 as? FerryError)?.message ?? ""
            return message.contains("permitted: 's3'") && !message.contains("gcs-secret-ish")
        }
        #expect(throws: FerryError.self) { try seldon.validate(["rclone_config_s3_env_auth": "maybe"]) }
    }

    @Test func arbitraryAndUnknownSchemas() throws {
        let values: SecretValues = ["anything": "goes", "x": ""]
        #expect(try SecretSchema.require("arbitrary").validate(values) == values)
        #expect(throws: FerryError.self) { try SecretSchema.require("no_such_schema") }
        let unknown = LegacySecret(name: "s", schemaType: "my_custom", values: values)
        #expect(unknown.conformance == .unknownSchema)
        #expect(unknown.values == values)
    }

    @Test func olderFieldSetsAreRecognised() {
        let old = LegacySecret(name: "k", schemaType: "kserve_s3", values: ["storage_type": "S3", "credentials": "c"])
        #expect(old.conformance == .variant(versions: "0.12.0–0.35.1"))
        let wrong = LegacySecret(name: "k", schemaType: "aws", values: ["token": "t"])
        guard case .nonConforming(let reasons) = wrong.conformance else {
            Issue.record("expected nonConforming")
            return
        }
        #expect(reasons.contains { $0.hasPrefix("token:") })
    }

    @Test func everyReferenceSchemaIsRegistered() {
        for type in ["arbitrary", "aws", "gcp", "azure", "basic_auth", "mysql", "seldon_s3", "seldon_gs", "seldon_az",
                     "kserve_s3", "kserve_gs", "kserve_az", "whylabs"]
        {
            #expect(SecretSchema.named(type) != nil, "\(type)")
        }
    }
}

@Suite struct PythonStringIdentityTests {
    /// Python keeps "é" (U+00E9) and "e" + U+0301 apart; Swift's `==` would merge them.
    @Test func canonicallyEquivalentKeysStayDistinct() throws {
        let composed = "caf\u{e9}", decomposed = "cafe\u{301}"
        var values = SecretValues()
        values[composed] = "1"
        values[decomposed] = "2"
        #expect(values.count == 2)
        #expect(values[composed] == "1" && values[decomposed] == "2")
        #expect(SecretValues([(composed, "x")]) != SecretValues([(decomposed, "x")]))
        #expect(SecretValues([("k", composed)]) != SecretValues([("k", decomposed)]))
        let parsed = try PythonJSON.parseFlatMap("{\"\(composed)\": \"1\", \"\(decomposed)\": \"2\"}", what: "t")
        #expect(parsed.count == 2)
    }
}
