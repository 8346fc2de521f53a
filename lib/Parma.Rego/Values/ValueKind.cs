namespace Parma.Rego;

/// <summary>Rego value kinds in OPA's total order: null &lt; boolean &lt; number &lt; string &lt; array &lt; object &lt; set.</summary>
public enum ValueKind
{
    Null = 0,
    Boolean = 1,
    Number = 2,
    String = 3,
    Array = 4,
    Object = 5,
    Set = 6,
}
