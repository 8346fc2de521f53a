namespace Parma.Testing.ApiServer.Admission;

public enum AdmissionOperation
{
    Create,
    Update,
    Delete,
}
