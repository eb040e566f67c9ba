import FerryCore
public import Foundation

/// Region and endpoint resolution, in the order boto3 uses, so that Ferry reaches the same AWS
/// account and region as the ZenML installation it reads.
///
/// ```swift
/// let environment = ProcessInfo.processInfo.environment
/// let region = try AWSSettings.region(environment: environment, profile: nil, explicit: nil)
/// let url = AWSSettings.endpoint(service: "Secrets Manager", region: region, environment: environment, explicit: nil)
/// // https://secretsmanager.eu-west-1.amazonaws.com, or $AWS_ENDPOINT_URL_SECRETS_MANAGER, or $AWS_ENDPOINT_URL
/// ```
public enum AWSSettings {
    /// The region: `explicit`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the `region` of
    /// the profile (`profile`, else `AWS_PROFILE`, else `default`) in the shared config files.
    /// Throws a ``FerryError/Kind/configuration`` error naming every place it looked.
    public static func region(environment: [String: String], profile: String?, explicit: String?) throws -> String {
        if let explicit = nonEmpty(explicit) { return explicit }
        if let region = nonEmpty(environment["AWS_REGION"]) { return region }
        if let region = nonEmpty(environment["AWS_DEFAULT_REGION"]) { return region }
        let files = try AWSSharedConfig.load(environment: environment)
        let name = AWSSharedConfig.profileName(environment: environment, explicit: profile)
        if let region = nonEmpty(files.profiles[name]?["region"]) { return region }
        throw FerryError(
            .configuration, code: .awsNoRegion,
            "No AWS region is configured. Pass a region, set AWS_REGION or AWS_DEFAULT_REGION, or set `region` in "
                + "profile '\(name)' of \(files.configPath).")
    }

    /// The endpoint of a service: `explicit`, else `AWS_ENDPOINT_URL_<SERVICE>` (the service id
    /// upper-cased, spaces and dashes as underscores: `AWS_ENDPOINT_URL_SECRETS_MANAGER` for
    /// "Secrets Manager"), else `AWS_ENDPOINT_URL`, else `https://<service>.<region>.amazonaws.com`
    /// with the service id lower-cased and its spaces and dashes removed (`secretsmanager`, `sts`);
    /// `amazonaws.com.cn` for the `cn-` regions. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the
    /// two variables off, as in botocore. An endpoint without a scheme gets `https://`.
    public static func endpoint(service: String, region: String, environment: [String: String], explicit: String?) -> URL {
        var candidates = [nonEmpty(explicit)]
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            let variable = "AWS_ENDPOINT_URL_" + String(service.uppercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
            candidates += [nonEmpty(environment[variable]), nonEmpty(environment["AWS_ENDPOINT_URL"])]
        }
        for case let text? in candidates {
            let withScheme = text.contains("://") ? text : "https://" + text
            if let url = URL(string: withScheme), url.host != nil { return url }
        }
        // Host names hold only letters, digits and dashes; anything else cannot be a service or region.
        let prefix = service.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let regionLabel = region.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        let domain = regionLabel.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return URL(string: "https://\(prefix).\(regionLabel).\(domain)")!
    }

    static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
