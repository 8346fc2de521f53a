namespace Parma.Api;

/// <summary>Marks an IntOrString property: a non-negative count, or a string matching <see cref="Pattern"/>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntOrStringSchemaAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;
}
