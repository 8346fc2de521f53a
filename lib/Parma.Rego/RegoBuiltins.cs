namespace Parma.Rego;

/// <summary>
/// Which of OPA's builtins the engine has, and the ones it leaves out on purpose with the reason. A test compares this
/// with the names in OPA's capabilities document; lib/Parma.Rego/README.md lists the same exclusions.
/// </summary>
public static class RegoBuiltins
{
    /// <summary>Builtins callable by name.</summary>
    public static IReadOnlyCollection<string> Implemented => (IReadOnlyCollection<string>)Builtins.BuiltinTable.All.Keys;

    /// <summary>Capability names that are syntax in this engine rather than callable builtins.</summary>
    public static readonly IReadOnlyDictionary<string, string> LanguageForms = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["assign"] = "the := operator",
        ["eq"] = "the = (unification) operator",
        ["internal.print"] = "print(…) calls, which compile to it in OPA",
    };

    /// <summary>OPA builtins deliberately not provided, with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> Excluded = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["http.send"] = "network I/O, non-deterministic; a policy in the guest must not reach out",
        ["net.lookup_ip_addr"] = "DNS lookup, non-deterministic",
        ["opa.runtime"] = "describes an OPA process's configuration and environment, non-deterministic",
        ["rand.intn"] = "random, non-deterministic",
        ["time.now_ns"] = "reads the clock, non-deterministic",
        ["uuid.rfc4122"] = "generates random UUIDs, non-deterministic",
        ["trace"] = "writes to OPA's evaluation tracer, which this engine does not have (print is available)",
        ["io.jwt.encode_sign"] = "signing with private keys held in the policy; marked non-deterministic by OPA (random nonces)",
        ["io.jwt.encode_sign_raw"] = "signing with private keys held in the policy; marked non-deterministic by OPA (random nonces)",
        ["graphql.is_valid"] = "GraphQL parsing and validation into gqlparser's AST is a language of its own, not implemented",
        ["graphql.parse"] = "GraphQL parsing and validation into gqlparser's AST is a language of its own, not implemented",
        ["graphql.parse_and_verify"] = "GraphQL parsing and validation into gqlparser's AST is a language of its own, not implemented",
        ["graphql.parse_query"] = "GraphQL parsing and validation into gqlparser's AST is a language of its own, not implemented",
        ["graphql.parse_schema"] = "GraphQL parsing and validation into gqlparser's AST is a language of its own, not implemented",
        ["graphql.schema_is_valid"] = "GraphQL parsing and validation into gqlparser's AST is a language of its own, not implemented",
        ["rego.parse_module"] = "returns OPA's Go AST serialisation, which has no specification outside OPA's Go types",
        ["rego.metadata.chain"] = "needs METADATA annotations; the parser drops comments",
        ["rego.metadata.rule"] = "needs METADATA annotations; the parser drops comments",
        ["strings.render_template"] = "renders Go text/template, a template language of its own",
        ["regex.globs_match"] = "decides whether two glob-style regular expressions intersect (an automaton product), not implemented",
        ["providers.aws.sign_req"] = "AWS SigV4 request signing; cloud credentials have no place in an execution policy",
        ["crypto.x509.parse_keypair"] = "returns Go's crypto/tls Certificate struct as encoding/json writes it, which has no specification to reproduce",
        ["crypto.parse_private_keys"] = "returns Go's private key structs as encoding/json writes them, which has no specification to reproduce (parse_rsa_private_key gives a JWK and is implemented)",
        ["uri.parse"] = "newer than the OPA documentation and sources available to this project: no specification to implement against",
        ["uri.is_valid"] = "newer than the OPA documentation and sources available to this project: no specification to implement against",
        ["strings.split_n"] = "newer than the OPA documentation and sources available to this project: no specification to implement against",
        ["internal.template_string"] = "backs template strings ($\"…{expr}…\"), a newer syntax the parser does not have",
        ["internal.test_case"] = "used by `opa test` only",
    };
}
