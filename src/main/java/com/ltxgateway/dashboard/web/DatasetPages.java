package com.ltxgateway.dashboard.web;

import com.ltxgateway.PageCursor;
import com.ltxgateway.access.AccessAdministration;
import com.ltxgateway.dataset.DatasetNotFound;
import com.ltxgateway.dataset.DatasetPage;
import com.ltxgateway.dataset.Datasets;

import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Every team's datasets, newest first, and each one's inspection: its problems and its clips. */
@Controller
@RequestMapping("/admin/datasets")
class DatasetPages {

    static final int PAGE_SIZE = 25;
    private static final String ID_PATTERN = "ds_[0-9a-z]{26}";

    private final Datasets datasets;
    private final AccessAdministration access;

    DatasetPages(Datasets datasets, AccessAdministration access) {
        this.datasets = datasets;
        this.access = access;
    }

    @GetMapping
    String list(@RequestParam(required = false) String team, @RequestParam(required = false) String cursor, Model model) {
        String selected = team == null || team.isBlank() ? null : team;
        PageCursor after = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                after = PageCursor.decode(cursor);
            }
            catch (RuntimeException e) {
                model.addAttribute("cursorError", "That page link has expired; showing the newest datasets.");
            }
        }
        DatasetPage page = datasets.listForAdmin(selected, PAGE_SIZE, after);
        model.addAttribute("page", page);
        model.addAttribute("team", selected);
        model.addAttribute("teams", access.teams());
        return "dashboard/datasets";
    }

    @GetMapping("/{id}")
    String detail(@PathVariable String id, Model model) {
        model.addAttribute("dataset", datasets.getForAdmin(checkedId(id)));
        return "dashboard/dataset";
    }

    @GetMapping("/{id}/file")
    ResponseEntity<Resource> file(@PathVariable String id) {
        Datasets.DatasetFile file = datasets.fileForAdmin(checkedId(id));
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/zip"))
                .eTag("\"" + file.sha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(file.fileName()).build().toString())
                .body(file.content());
    }

    private static String checkedId(String id) {
        if (!id.matches(ID_PATTERN)) {
            throw new DatasetNotFound(id);
        }
        return id;
    }
}
