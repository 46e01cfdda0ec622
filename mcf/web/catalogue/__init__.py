"""« Rechercher une formation » and the offer page, shared by the public site and the
holder's space: the search form (query string → ``SearchCriteria``), the views' common
part, the templates and the htmx glue. Each space keeps its own URLs and access rules."""
