package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;

/** No upload was initiated under the token, or it was used already, or it expired. */
public class UploadTicketUnknown extends ApiProblem.NotFound {

    UploadTicketUnknown() {
        super("No upload is waiting at this URL: it was completed, it expired (an hour after it was initiated), or it never existed");
    }
}
