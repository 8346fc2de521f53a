using System.Net;

namespace Parma.Oci.Registry;

/// <summary>A registry answered with an error (or could not be reached); the message says which request and why.</summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    public HttpStatusCode? StatusCode { get; }
}
