-- The annual report (国办公开办函〔2021〕30号, table 2) counts 规章 and 行政规范性文件 apart.
-- A catalogue category can file documents of one of these kinds (and so can the categories
-- below it); every catalogue's standard category 01 gets the two standard sub-categories
-- that tell them apart. Documents filed in 01 itself stay there until an editor files them
-- under one of them; the report shows them as unclassified meanwhile.
ALTER TABLE disclosure_categories
    ADD COLUMN document_kind text CHECK (document_kind IN ('regulation', 'normative_document'));

INSERT INTO disclosure_categories (id, organization_id, parent_id, code, name, sort_order,
                                   standard, document_kind)
SELECT gen_random_uuid(), p.organization_id, p.id,
       -- a catalogue that already uses the code for a category of its own keeps it
       CASE WHEN EXISTS (SELECT 1 FROM disclosure_categories x
                          WHERE x.organization_id = p.organization_id AND x.code = s.code)
            THEN '01-' || s.code ELSE s.code END,
       s.name, p.sort_order + s.n, true, s.kind
  FROM disclosure_categories p
 CROSS JOIN (VALUES ('0101', '规章', 'regulation', 1),
                    ('0102', '行政规范性文件', 'normative_document', 2)) AS s(code, name, kind, n)
 WHERE p.code = '01' AND p.standard AND p.parent_id IS NULL;
