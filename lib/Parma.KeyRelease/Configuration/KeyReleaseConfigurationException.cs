namespace Parma.KeyRelease.Configuration;

/// <summary>The configuration cannot be loaded as written; the message names the file or key and what to fix.</summary>
public sealed class KeyReleaseConfigurationException : Exception
{
    public KeyReleaseConfigurationException(string message)
        : base(message)
    {
    }

    public KeyReleaseConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyReleaseConfigurationException()
    {
    }
}
