namespace Parma.Testing.ApiServer.Validation;

public enum FieldErrorKind
{
    /// <summary>A field the schema does not declare (strict field validation).</summary>
    Unknown,
    Required,
    TypeInvalid,
    NotSupported,
    Invalid,
    TooLong,
}

/// <summary>One validation failure at a field path such as spec.containers[0].name.</summary>
public sealed record FieldError(FieldErrorKind Kind, string Field, string Detail)
{
    /// <summary>The StatusCause reason kube-apiserver uses for this kind of error.</summary>
    public string Reason => Kind switch
    {
        FieldErrorKind.Required => "FieldValueRequired",
        FieldErrorKind.TypeInvalid => "FieldValueTypeInvalid",
        FieldErrorKind.NotSupported => "FieldValueNotSupported",
        FieldErrorKind.TooLong => "FieldValueTooLong",
        FieldErrorKind.Unknown => "FieldValueInvalid",
        _ => "FieldValueInvalid",
    };
}
