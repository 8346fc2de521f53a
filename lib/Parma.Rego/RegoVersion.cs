namespace Parma.Rego;

/// <summary>Which Rego syntax modules are read in.</summary>
public enum RegoVersion
{
    /// <summary>
    /// Per module, the way kata-agent has loaded policies over time: a module that is valid Rego v1 (or imports
    /// <c>rego.v1</c>) is v1, as regorus 0.3+ reads every module (kata-agent since April 2026); a module that is
    /// only valid as v0 (<c>p { … }</c>, <c>p[x] { … }</c>, keywords via <c>import future.keywords</c>) is v0, as
    /// regorus 0.1–0.2 read every module (kata-agent 2024 to April 2026). Modules of one policy may differ.
    /// </summary>
    Auto,

    /// <summary>Every module is Rego v1 (<c>if</c> and <c>contains</c> required); <c>import future.keywords…</c> is accepted and changes nothing.</summary>
    V1,

    /// <summary>Every module is Rego v0 unless it imports <c>rego.v1</c> (OPA's <c>--v0-compatible</c>, regorus' <c>set_rego_v0(true)</c>).</summary>
    V0,
}
