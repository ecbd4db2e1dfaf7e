namespace SmartTrip.Core.Wire;

/// <summary>
/// The messages of the API's error bodies (api.md §1.4, §6.3-§6.4, events.md), each written here once; the endpoints, the
/// health report and the command-line tool all take them from this file.
/// </summary>
public static class ErrorMessages
{
    public const string EndpointNotFound = "Endpoint not found";
    public const string MethodNotAllowed = "Method not allowed";
    public const string InternalError = "Internal server error";
    public const string AuthenticationRequired = "Authentication required";

    public const string BodyTooLarge = "Request body too large (maximum 1 MB)";
    public const string NotAnObject = "Request body must be a JSON object";
    public const string TooManyValues = "Request body holds too many JSON values (maximum 50000)";

    public const string DatabaseUnavailable = "Database connection unavailable. Please check your configuration or try again later.";
    public const string DatabaseFailed = "Database error occurred. Please try again later.";
    public const string QueueUnavailable = "Event queue unavailable. Please try again later.";

    public const string InvalidUuid = "Invalid UUID format for session_id or anonymous_id";

    /// <summary>The recommendation endpoint's own messages (api.md §6.3-§6.4), in Hebrew where the traveller reads them.</summary>
    public static class Recommendations
    {
        public const string InvalidPreferences = "Invalid preferences";
        public const string DatabaseUnavailable = "שגיאת חיבור למסד הנתונים. אנא נסה שוב מאוחר יותר.";
        public const string DatabaseFailed = "שגיאה במסד הנתונים. אנא נסה שוב מאוחר יותר.";
        public const string EngineFailed = "שגיאה בעיבוד ההמלצות. אנא נסה שוב או נסה עם העדפות אחרות.";
        public const string RequestFailed = "שגיאה בעיבוד הבקשה. אנא נסה שוב מאוחר יותר.";
    }
}
