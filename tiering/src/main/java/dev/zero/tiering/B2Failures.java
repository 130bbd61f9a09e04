package dev.zero.tiering;

import com.backblaze.b2.client.exceptions.B2Exception;
import com.backblaze.b2.client.exceptions.B2InternalErrorException;
import com.backblaze.b2.client.exceptions.B2LocalException;
import com.backblaze.b2.client.exceptions.B2NetworkBaseException;
import com.backblaze.b2.client.exceptions.B2NotFoundException;
import com.backblaze.b2.client.exceptions.B2RequestTimeoutException;
import com.backblaze.b2.client.exceptions.B2ServiceUnavailableException;
import com.backblaze.b2.client.exceptions.B2TooManyRequestsException;
import com.backblaze.b2.client.exceptions.B2UnauthorizedException;
import java.io.IOException;

/**
 * What a failed SDK call means for the caller, once the SDK has used up its retries: a {@link
 * RemoteException} whose kind says what to do and whose message says it to a person.
 */
final class B2Failures {
  private static final String CHECK_NETWORK =
      "check the network connection and https://status.backblaze.com, then try again";

  private B2Failures() {}

  /**
   * @param action what was being done, as in "could not {action}": e.g. "upload 'k'"
   * @param e the SDK's last exception
   */
  static RemoteException toRemoteException(String action, B2Exception e) {
    if (e instanceof B2UnauthorizedException unauthorized) {
      return new RemoteException(
          RemoteException.Kind.UNAUTHORIZED, refusedKey(action, unauthorized), e);
    }
    if (e instanceof B2NotFoundException) {
      return new RemoteException(
          RemoteException.Kind.NOT_FOUND,
          "B2 could not " + action + ": there is no such object (" + describe(e) + ")",
          e);
    }
    if (isTransient(e)) {
      return new RemoteException(
          RemoteException.Kind.UNAVAILABLE,
          "B2 is unavailable, so Zero could not "
              + action
              + " ("
              + describe(e)
              + "): "
              + CHECK_NETWORK,
          e);
    }
    if (e instanceof B2LocalException && e.getCause() instanceof IOException local) {
      return DiskFailures.refused(
          "reading local data to " + action, "the file being uploaded", local);
    }
    if (e.getCode() != null && e.getCode().endsWith("cap_exceeded")) {
      return new RemoteException(
          RemoteException.Kind.REFUSED,
          "B2 refused to "
              + action
              + " because a cap of the account is reached ("
              + describe(e)
              + "): raise the caps in the Backblaze web console or wait for them to reset",
          e);
    }
    return new RemoteException(
        RemoteException.Kind.REFUSED, "B2 refused to " + action + " (" + describe(e) + ")", e);
  }

  /** What the SDK retries after a wait; 5xx the SDK does not name is as temporary. */
  private static boolean isTransient(B2Exception e) {
    return e instanceof B2NetworkBaseException
        || e instanceof B2RequestTimeoutException
        || e instanceof B2TooManyRequestsException
        || e instanceof B2InternalErrorException
        || e instanceof B2ServiceUnavailableException
        || (e.getStatus() >= 500 && e.getStatus() < 600);
  }

  private static String refusedKey(String action, B2UnauthorizedException e) {
    if (e.getRequestCategory() == B2UnauthorizedException.RequestCategory.ACCOUNT_AUTHORIZATION) {
      return "B2 refused the key id/application key ("
          + describe(e)
          + "): check accountId and applicationKey in config.yml";
    }
    return "B2 refused to "
        + action
        + " with this application key ("
        + describe(e)
        + "): check that the key in config.yml may list, read, write and delete files in the"
        + " bucket";
  }

  /** "401 bad_auth_token: ..." for answers of B2, "socket_timeout: ..." for failures to get one. */
  private static String describe(B2Exception e) {
    // The SDK gives local and network failures made-up statuses (9xx): only HTTP ones mean
    // anything.
    String status = e.getStatus() >= 100 && e.getStatus() < 600 ? e.getStatus() + " " : "";
    return status + e.getCode() + ": " + e.getMessage();
  }
}
