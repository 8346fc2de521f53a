namespace Parma.Rego;

/// <summary>The only exception type the Rego engine throws. <see cref="Code"/> follows OPA's error codes.</summary>
public sealed class RegoException : Exception
{
    public RegoException(string code, string message, string? file = null, int line = 0, int column = 0)
        : base(Format(code, message, file, line, column))
    {
        Code = code;
        Detail = message;
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>OPA-style error code, e.g. rego_parse_error, eval_conflict_error.</summary>
    public string Code { get; }

    /// <summary>The message without code and location.</summary>
    public string Detail { get; }

    public string? File { get; }

    public int Line { get; }

    public int Column { get; }

    public static class Codes
    {
        public const string ParseError = "rego_parse_error";
        public const string CompileError = "rego_compile_error";
        public const string TypeError = "rego_type_error";
        public const string UnsafeVarError = "rego_unsafe_var_error";
        public const string RecursionError = "rego_recursion_error";
        public const string ConflictError = "eval_conflict_error";
        public const string BuiltinError = "eval_builtin_error";
        public const string EvalTypeError = "eval_type_error";
        public const string LimitError = "eval_limit_error";
        public const string CancelError = "eval_cancel_error";
        public const string InternalError = "eval_internal_error";
    }

    private static string Format(string code, string message, string? file, int line, int column) =>
        file is null && line == 0 ? $"{code}: {message}" : $"{file ?? "<query>"}:{line}:{column}: {code}: {message}";
}
